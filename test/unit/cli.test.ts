// Unit tests for the command line: argv in, Config or help, version or one usage line out (S1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseCli } from "../../src/cli/parse.ts";
import { FLAGS } from "../../src/cli/flags.ts";
import { HELP, versionLine } from "../../src/cli/help.ts";
import type { Config } from "../../src/config.ts";

function config(argv: string[], platform = "linux"): Config {
  const result = parseCli(argv, platform);
  if (result.kind !== "run") assert.fail(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

/** The usage message, after checking it has the shape S1 and STYLE ask for. */
function usage(argv: string[]): string {
  const result = parseCli(argv, "linux");
  if (result.kind !== "usage") assert.fail(`expected usage, got ${JSON.stringify(result)}`);
  const { message } = result;
  assert.doesNotMatch(message, /\n/, "one line");
  assert.doesNotMatch(message, /\.$/, "no trailing period");
  assert.match(message, /^[A-Z-]/, "sentence case or a flag first");
  return message;
}

test("defaults fill every field when only CMD is given", () => {
  assert.deepEqual(config(["./game.py"]), {
    cmd: "./game.py",
    args: [],
    dir: null,
    perConnection: false,
    listen: [{ host: "0.0.0.0", port: 9000 }],
    unixSocket: null,
    split: { kind: "lines" },
    frame: { client: "none", server: "none" },
    joinMsg: null,
    leaveMsg: null,
    cache: null,
    cachePersist: false,
    delay: 0,
    linger: 0,
    resume: 0,
    restart: 0,
    unbuffered: false,
    closeMs: 0,
    passEnv: ["PATH", "LD_LIBRARY_PATH"],
    rooms: null,
    maxRooms: null,
    tcp: null,
    oneshot: false,
    staticDir: null,
    maxBuffer: 8388608,
    maxFrameSize: 1048576,
    origin: { same: false, allow: null },
    tls: null,
    redirPort: null,
    pingMs: null,
    passStderr: false,
    devConsole: false,
    cgiDir: null,
    reverseLookup: false,
    headers: { all: [], ws: [], http: [] },
    api: false,
    metrics: false,
    cluster: null,
    auth: null,
    maxClients: null,
    rateLimit: null,
    log: "text",
    logLevel: "info",
  });
});

test("--flag=value and --flag value give the same config", () => {
  const pairs: [string, string][] = [
    ["--addr", "127.0.0.1:8080"],
    ["--delay", "1.5"],
    ["--linger", "30"],
    ["--resume", "30"],
    ["--closems", "200"],
    ["--passenv", "PATH,HOME"],
    ["--rooms", "lobby,game"],
    ["--maxrooms", "4"],
    ["--maxforks", "4"],
    ["--staticdir", "public"],
    ["--maxbuffer", "4096"],
    ["--maxframesize", "2k"],
    ["--delimiters", ";"],
    ["--log", "json"],
    ["--loglevel", "debug"],
    ["--header", "X-A: 1"],
    ["--port", "8080"],
    ["--address", "::1"],
  ];
  for (const [flag, value] of pairs) {
    assert.deepEqual(config([`${flag}=${value}`, "cat"]), config([flag, value, "cat"]), flag);
  }
});

test("every value lands in its config field", () => {
  const c = config([
    "--delay=0.25",
    "--linger",
    ".5",
    "--closems=100",
    "--resume=2.5",
    "--rooms=a b,ü",
    "--maxforks=3",
    "--oneshot",
    "--staticdir=www",
    "--maxbuffer=8m",
    "--maxframesize=512K",
    "--log=json",
    "cat",
  ]);
  assert.equal(c.delay, 0.25);
  assert.equal(c.linger, 0.5);
  assert.equal(c.closeMs, 100);
  assert.equal(c.resume, 2.5);
  assert.deepEqual(c.rooms, ["a b", "ü"]);
  assert.equal(c.maxRooms, 3);
  assert.equal(c.oneshot, true);
  assert.equal(c.staticDir, "www");
  assert.equal(c.maxBuffer, 8 * 1024 * 1024);
  assert.equal(c.maxFrameSize, 512 * 1024);
  assert.equal(c.log, "json");
});

test("--addr accepts IPv4, bracketed IPv6 and host names, ports 0 to 65535", () => {
  const cases: [string, string, number][] = [
    ["[::]:9000", "::", 9000],
    ["[::1]:0", "::1", 0],
    ["localhost:9000", "localhost", 9000],
    ["127.0.0.1:65535", "127.0.0.1", 65535],
  ];
  for (const [addr, host, port] of cases) {
    assert.deepEqual(config(["--addr", addr, "cat"]).listen, [{ host, port }]);
  }
  for (const bad of ["::1:9000", "localhost", ":9000", "[::1]", "a:65536", "a:-1", "a b:1", ""]) {
    assert.match(usage([`--addr=${bad}`, "cat"]), /^Invalid value ".*" for --addr: expected/);
  }
  assert.equal(
    usage(["--addr=::1:9000", "cat"]),
    'Invalid value "::1:9000" for --addr: expected HOST:PORT, such as "127.0.0.1:9000" or "[::]:9000"',
  );
  assert.equal(
    usage(["--addr=1.2.3.4:65536", "cat"]),
    'Invalid value "1.2.3.4:65536" for --addr: expected a port from 0 to 65535',
  );
});

test("websocketd's --port and --address build the listen list", () => {
  assert.deepEqual(config(["--port", "8080", "cat"]).listen, [{ host: "0.0.0.0", port: 8080 }]);
  assert.deepEqual(config(["--address", "127.0.0.1", "cat"]).listen, [
    { host: "127.0.0.1", port: 9000 },
  ]);
  assert.deepEqual(
    config(["--port=0", "--address=::1", "--address", "[::1]", "--address=localhost", "cat"])
      .listen,
    [{ host: "::1", port: 0 }, { host: "localhost", port: 0 }],
  );
  assert.match(usage(["--port=65536", "cat"]), /for --port: expected a port/);
  assert.match(usage(["--address=a/b", "cat"]), /for --address: expected a host/);
});

test("everything after CMD belongs to CMD, even flags", () => {
  const c = config(["--oneshot", "./bot", "--addr", "x", "-v", "--help", "--", "-V"]);
  assert.equal(c.cmd, "./bot");
  assert.deepEqual(c.args, ["--addr", "x", "-v", "--help", "--", "-V"]);
  assert.equal(c.logLevel, "info");
});

test("one -- right after CMD is dropped", () => {
  assert.deepEqual(config(["echo", "--", "hello"]).args, ["hello"]);
  assert.deepEqual(config(["echo", "--", "--", "hello"]).args, ["--", "hello"]);
  assert.deepEqual(config(["./count.sh", "10"]).args, ["10"]);
  assert.deepEqual(config(["echo", "--"]).args, []);
});

test("-- before CMD ends the options", () => {
  const c = config(["-v", "--", "--weird-name", "--", "a"]);
  assert.equal(c.cmd, "--weird-name");
  assert.deepEqual(c.args, ["a"]);
  assert.equal(c.logLevel, "debug");
  assert.equal(config(["-", "x"]).cmd, "-");
});

test("message splitting follows --binary, -b, --null and --delimiters", () => {
  assert.deepEqual(config(["--binary", "cat"]).split, { kind: "binary" });
  assert.deepEqual(config(["-b", "cat"]).split, { kind: "binary" });
  assert.deepEqual(config(["--null", "cat"]).split, { kind: "bytes", delimiters: [0] });
  assert.deepEqual(config(["--delimiters=;,;", "cat"]).split, {
    kind: "bytes",
    delimiters: [59, 44],
  });
  assert.match(usage(["--delimiters=", "cat"]), /for --delimiters: expected at least one/);
  assert.equal(
    usage(["--delimiters=é", "cat"]),
    'Invalid value "é" for --delimiters: expected ASCII characters, each one byte',
  );
});

test("conflicting flags are refused, naming both as given", () => {
  const cases: [string[], string][] = [
    [["--addr=a:1", "--port=80"], "--addr cannot be combined with --port"],
    [["--address=a", "--addr=a:1"], "--addr cannot be combined with --address"],
    [["--binary", "--delimiters=;"], "--binary cannot be combined with --delimiters"],
    [["-b", "--delimiters=;"], "-b cannot be combined with --delimiters"],
    [["--null", "--binary"], "--binary cannot be combined with --null"],
    [["--null", "--delimiters=;"], "--null cannot be combined with --delimiters"],
    [["--json", "--frame"], "--json cannot be combined with --frame"],
    [["--json", "--clientframe"], "--json cannot be combined with --clientframe"],
    [["--json", "--serverframe=gwsocket"], "--json cannot be combined with --serverframe"],
    [["--frame", "--clientframe"], "--frame cannot be combined with --clientframe"],
    [["--frame=json", "--serverframe"], "--frame cannot be combined with --serverframe"],
    [["--tcp", "--tcpports=1:2", "--maxrooms=2"], "--tcpports cannot be combined with --maxrooms"],
    [["--tcp", "--tcpports=1:2", "--maxforks=2"], "--tcpports cannot be combined with --maxforks"],
    [["-vv", "--loglevel=info"], "-v cannot be combined with --loglevel"],
    [["--devconsole", "--staticdir=d"], "--devconsole cannot be combined with --staticdir"],
    [["--devconsole", "--cgidir=d"], "--devconsole cannot be combined with --cgidir"],
    [["--tcpports=1:2"], "--tcpports requires --tcp"],
    [["--sslcert=c", "--sslkey=k"], "--sslcert requires --ssl"],
    [["--ssl", "--sslkey=k"], "--ssl requires --sslcert"],
    [["--ssl", "--sslcert=c"], "--ssl requires --sslkey"],
    [["--cachepersist"], "--cachepersist requires --cache"],
  ];
  for (const [argv, message] of cases) assert.equal(usage([...argv, "cat"]), message);
});

test("enum values are checked and lower-case only", () => {
  assert.equal(
    usage(["--log=xml", "cat"]),
    'Invalid value "xml" for --log: expected "text" or "json"',
  );
  assert.equal(
    usage(["--frame=JSON", "cat"]),
    'Invalid value "JSON" for --frame: expected "json" or "gwsocket"',
  );
  assert.match(usage(["--log", "JSON", "cat"]), /^Invalid value "JSON" for --log:/);
  assert.match(usage(["--clientframe=Json", "cat"]), /^Invalid value "Json" for --clientframe:/);
  assert.match(usage(["--serverframe=xml", "cat"]), /for --serverframe:/);
  assert.match(usage(["--loglevel=DEBUG", "cat"]), /^Invalid value "DEBUG" for --loglevel:/);
  assert.match(usage(["--loglevel=warn", "cat"]), /for --loglevel: expected "debug", "trace"/);
  assert.match(usage(["--cache=ALL:8", "cat"]), /^Invalid value "ALL:8" for --cache:/);
  assert.match(usage(["--cache=Tagged:8", "cat"]), /for --cache:/);
});

test("bad numbers are refused, naming the flag and the value", () => {
  const cases: [string, string][] = [
    ["--delay", "-1"],
    ["--delay", "abc"],
    ["--delay", "1e3"],
    ["--delay", ""],
    ["--delay", "9999999"],
    ["--linger", "NaN"],
    ["--linger", "Infinity"],
    ["--resume", "-1"],
    ["--resume", "soon"],
    ["--closems", "1.5"],
    ["--closems", "-5"],
    ["--maxrooms", "0"],
    ["--maxrooms", "1.5"],
    ["--maxforks", "x"],
    ["--maxbuffer", "0"],
    ["--maxbuffer", "8g"],
    ["--maxbuffer", "1.5m"],
    ["--maxframesize", "-1"],
    ["--maxframesize", "99999999999999999999"],
    ["--pingms", "0"],
    ["--redirport", "65536"],
    ["--cache", "0"],
    ["--cache", "100001"],
    ["--tcpports", "10:9"],
    ["--tcpports", "0:10"],
    ["--tcpports", "9001"],
  ];
  for (const [flag, value] of cases) {
    const message = usage([`${flag}=${value}`, "cat"]);
    assert.ok(message.startsWith(`Invalid value ${JSON.stringify(value)} for ${flag}: `), message);
  }
  assert.equal(
    usage(["--delay", "-1", "cat"]),
    'Invalid value "-1" for --delay: expected a number of seconds from 0 to 2147483',
  );
  assert.equal(
    usage(["--tcpports=10:9", "cat"]),
    'Invalid value "10:9" for --tcpports: expected START no greater than END',
  );
});

test("unknown flags are refused as typed", () => {
  assert.equal(usage(["--foo", "cat"]), 'Unknown flag "--foo"');
  assert.equal(usage(["--foo=bar", "cat"]), 'Unknown flag "--foo"');
  assert.equal(usage(["-x", "cat"]), 'Unknown flag "-x"');
  assert.equal(usage(["-bx", "cat"]), 'Unknown flag "-x"');
  assert.equal(usage(["-bogus=80", "cat"]), 'Unknown flag "-o"');
  assert.equal(usage(["--verbose", "cat"]), 'Unknown flag "--verbose"');
  assert.equal(usage(["--toString", "cat"]), 'Unknown flag "--toString"');
  assert.equal(usage(["--Addr=a:1", "cat"]), 'Unknown flag "--Addr"');
});

test("a missing CMD is a usage error", () => {
  const message = "Missing command: give the program to run after the options";
  assert.equal(usage([]), message);
  assert.equal(usage(["-v", "--oneshot"]), message);
  assert.equal(usage(["--"]), message);
  assert.match(usage([""]), /^Invalid command "":/);
});

test("--staticdir or --cgidir alone serves plain HTTP, as websocketd does, with no CMD", () => {
  for (const argv of [["--staticdir", "www"], ["--cgidir=cgi"], ["--staticdir=w", "--cgidir=c"]]) {
    assert.equal(config(argv).cmd, "", `${argv.join(" ")} needs no CMD`);
  }
  assert.equal(usage(["--metrics"]), "Missing command: give the program to run after the options");
});

test("a valued flag without its value is a usage error", () => {
  assert.equal(usage(["--addr"]), "Missing value for --addr: expected HOST:PORT");
  assert.equal(
    usage(["--addr", "--oneshot", "cat"]),
    "Missing value for --addr: expected HOST:PORT",
  );
  assert.match(usage(["--header"]), /^Missing value for --header: expected/);
  assert.match(usage(["--maxforks"]), /^Missing value for --maxforks: expected/);
});

test("websocketd's spellings: one dash for long flags, switches =true or =false", () => {
  assert.deepEqual(config(["-port=8080", "cat"]).listen, [{ host: "0.0.0.0", port: 8080 }]);
  assert.deepEqual(config(["-port", "8080", "cat"]).listen, [{ host: "0.0.0.0", port: 8080 }]);
  assert.equal(config(["-sameorigin", "cat"]).origin.same, true);
  assert.equal(config(["--sameorigin=true", "cat"]).origin.same, true);
  assert.equal(config(["--sameorigin=false", "cat"]).origin.same, false);
  assert.equal(config(["--binary=true", "cat"]).split.kind, "binary");
  assert.equal(config(["--binary", "--binary=false", "cat"]).split.kind, "lines");
  assert.equal(config(["-maxforks=3", "cat"]).maxRooms, 3);
  assert.deepEqual(parseCli(["-help"], "linux"), { kind: "help" });
  // Short bundles still read letter by letter.
  assert.equal(config(["-vv", "cat"]).logLevel, "trace");
});

test("switches refuse any =value but true or false", () => {
  assert.equal(
    usage(["--binary=yes", "cat"]),
    'Unexpected value "yes" for --binary: the flag takes no value, or true or false',
  );
  assert.match(usage(["--oneshot=", "cat"]), /^Unexpected value "" for --oneshot:/);
  assert.match(usage(["-b=1", "cat"]), /^Unexpected value "1" for -b:/);
  assert.match(usage(["-vv=2", "cat"]), /^Unexpected value "2" for -vv:/);
  assert.match(usage(["--help=1"]), /^Unexpected value "1" for --help:/);
  assert.match(usage(["--json=2", "cat"]), /for --json:/);
});

test("-v raises the level to debug, -vv to trace", () => {
  assert.equal(config(["-v", "cat"]).logLevel, "debug");
  assert.equal(config(["-vv", "cat"]).logLevel, "trace");
  assert.equal(config(["-v", "-v", "cat"]).logLevel, "trace");
  assert.equal(config(["-vvv", "cat"]).logLevel, "trace");
  const c = config(["-bv", "cat"]);
  assert.deepEqual([c.split.kind, c.logLevel], ["binary", "debug"]);
});

test("--loglevel maps websocketd's level names", () => {
  const map = { debug: "debug", trace: "trace", access: "info", info: "info" } as const;
  const all = { ...map, error: "error", fatal: "error" } as const;
  for (const [name, level] of Object.entries(all)) {
    assert.equal(config([`--loglevel=${name}`, "cat"]).logLevel, level, name);
  }
});

test("--passenv defaults follow the platform and the flag replaces them", () => {
  assert.deepEqual(config(["cat"], "linux").passEnv, ["PATH", "LD_LIBRARY_PATH"]);
  assert.deepEqual(config(["cat"], "darwin").passEnv, ["PATH", "DYLD_LIBRARY_PATH"]);
  const windows = ["PATH", "SystemRoot", "COMSPEC", "PATHEXT", "WINDIR"];
  assert.deepEqual(config(["cat"], "windows").passEnv, windows);
  assert.deepEqual(config(["cat"], "win32").passEnv, windows);
  assert.deepEqual(config(["cat"], "freebsd").passEnv, ["PATH", "LD_LIBRARY_PATH"]);
  assert.deepEqual(config(["--passenv=HOME,LANG", "cat"], "darwin").passEnv, ["HOME", "LANG"]);
  assert.deepEqual(config(["--passenv=", "cat"]).passEnv, []);
  assert.match(usage(["--passenv=A,,B", "cat"]), /^Invalid value "A,,B" for --passenv:/);
  assert.match(usage(["--passenv=A=1", "cat"]), /for --passenv:/);
});

test("headers are collected per kind as trimmed name and value pairs", () => {
  const c = config([
    "--header",
    "X-All: 1",
    "--header=Cache-Control:no-store",
    "--header-ws",
    "X-Ws:  a: b ",
    "--header-http=X-Http:",
    "cat",
  ]);
  assert.deepEqual(c.headers, {
    all: [["X-All", "1"], ["Cache-Control", "no-store"]],
    ws: [["X-Ws", "a: b"]],
    http: [["X-Http", ""]],
  });
  assert.equal(
    usage(["--header=nocolon", "cat"]),
    'Invalid value "nocolon" for --header: expected "Name: value"',
  );
  assert.match(usage(["--header-ws=Bad Name: x", "cat"]), /for --header-ws: .*header name/);
  assert.match(usage(["--header-http=: x", "cat"]), /for --header-http:/);
  assert.match(usage(["--header=X: a\u0001b", "cat"]), /^Invalid value "X: a\\u0001b" for/);
});

test("room names are checked: no empty, reserved or slashed names", () => {
  assert.match(usage(["--rooms=a,,b", "cat"]), /^Invalid value "a,,b" for --rooms:/);
  assert.match(usage(["--rooms=", "cat"]), /for --rooms:/);
  assert.match(usage(["--rooms=a/b", "cat"]), /for --rooms:/);
  assert.equal(
    usage(["--rooms=lobby,api", "cat"]),
    'Invalid value "lobby,api" for --rooms: "api" is reserved by the server',
  );
  assert.match(usage([`--rooms=${"x".repeat(129)}`, "cat"]), /for --rooms:/);
});

test("a flag given twice keeps its last value, repeatable ones keep all", () => {
  const c = config(["--delay=1", "--delay=2", "--maxrooms=1", "--maxforks=5", "cat"]);
  assert.deepEqual([c.delay, c.maxRooms], [2, 5]);
});

test("--cache takes [all:|tagged:]SIZE, and a bare size means all (ScaleSocket's quirk fixed)", () => {
  const cases: [string, { kind: string; size: number }][] = [
    ["8", { kind: "all", size: 8 }],
    ["all:8", { kind: "all", size: 8 }],
    ["tagged:5", { kind: "tagged", size: 5 }],
    ["100000", { kind: "all", size: 100000 }],
    ["1", { kind: "all", size: 1 }],
  ];
  for (const [value, want] of cases) {
    assert.deepEqual(config([`--cache=${value}`, "cat"]).cache, want);
  }
  assert.equal(config(["--cache=3", "--cachepersist", "cat"]).cachePersist, true);
});

test("--json frames both sides as json and announces joins and leaves", () => {
  const c = config(["--json", "cat"]);
  assert.deepEqual(c.frame, { client: "json", server: "json" });
  assert.equal(c.joinMsg, '{"t":"Join","_from":#ID}');
  assert.equal(c.leaveMsg, '{"t":"Leave","_from":#ID}');
  // An explicit template replaces --json's.
  assert.equal(config(["--json", "--joinmsg", "hi #ID", "cat"]).joinMsg, "hi #ID");
});

test("--frame sets both sides; --clientframe and --serverframe one each", () => {
  assert.deepEqual(config(["--frame", "cat"]).frame, { client: "json", server: "json" });
  assert.deepEqual(config(["--frame=gwsocket", "cat"]).frame, {
    client: "gwsocket",
    server: "gwsocket",
  });
  assert.deepEqual(config(["--clientframe=json", "cat"]).frame, { client: "json", server: "none" });
  assert.deepEqual(config(["--serverframe", "cat"]).frame, { client: "none", server: "json" });
  assert.equal(config(["--frame", "cat"]).joinMsg, null, "only --json adds join messages");
});

test("gwsocket framing refuses flags it would make meaningless", () => {
  assert.equal(
    usage(["--frame=gwsocket", "--joinmsg=hi", "cat"]),
    "--joinmsg cannot be combined with --frame=gwsocket",
  );
  assert.equal(
    usage(["--clientframe=gwsocket", "--leavemsg=bye", "cat"]),
    "--leavemsg cannot be combined with --clientframe=gwsocket",
  );
  assert.equal(
    usage(["--serverframe=gwsocket", "--null", "cat"]),
    "--null cannot be combined with --serverframe=gwsocket",
  );
  assert.equal(
    usage(["--frame=gwsocket", "-b", "cat"]),
    "-b cannot be combined with --frame=gwsocket",
  );
  // Each side alone: text lines on the other side stay meaningful.
  assert.equal(config(["--serverframe=gwsocket", "--joinmsg=hi", "cat"]).joinMsg, "hi");
  assert.equal(config(["--clientframe=gwsocket", "--null", "cat"]).split.kind, "bytes");
});

test("--tcp takes ports 9001 to 9999 unless --tcpports names a range", () => {
  assert.deepEqual(config(["--tcp", "cat"]).tcp, { start: 9001, end: 9999 });
  assert.deepEqual(config(["--tcp", "--tcpports", "7000:7000", "cat"]).tcp, {
    start: 7000,
    end: 7000,
  });
  assert.equal(config(["cat"]).tcp, null);
});

test("help and version win as soon as they are read among the options", () => {
  for (const argv of [["-h"], ["--help"], ["--json", "--frame", "-h"], ["-vh"], ["-h", "--foo"]]) {
    assert.deepEqual(parseCli(argv, "linux"), { kind: "help" }, argv.join(" "));
  }
  for (const argv of [["-V"], ["--version", "--log=xml"], ["--oneshot", "-V", "cat"]]) {
    assert.deepEqual(parseCli(argv, "linux"), { kind: "version" }, argv.join(" "));
  }
  assert.match(usage(["--foo", "--help"]), /^Unknown flag/);
  assert.match(usage(["--log=xml", "--help"]), /^Invalid value/);
  assert.equal(config(["cat", "--help"]).args[0], "--help");
  assert.equal(versionLine("1.2.3"), "scalesocket 1.2.3");
});

test("help names every flag", () => {
  for (const key of Object.keys(FLAGS)) {
    const name = key === "verbose" ? "-v" : `--${key}`;
    assert.ok(HELP.includes(`  ${name}`) || HELP.includes(`, ${name}`), name);
  }
});

test("help matches the golden file", () => {
  const golden = readFileSync(new URL("../fixtures/help.txt", import.meta.url), "utf8");
  assert.equal(HELP, golden);
});
