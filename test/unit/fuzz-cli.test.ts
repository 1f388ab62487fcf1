// Property tests (fast-check) for the command line: whatever argv holds, parseCli answers with
// run, help, version or one clean usage line, and never throws (S1).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseCli } from "../../src/cli/parse.ts";
import { ALIASES, FLAGS, SHORT } from "../../src/cli/flags.ts";

const NAMES = [...Object.keys(FLAGS), ...Object.keys(ALIASES), "help", "version", "verbose"];

/** Values that sit on the edges of the schemas: numbers, sizes, hosts, enums, odd text. */
const EDGY = [
  "",
  " ",
  "0",
  "-1",
  "1",
  "65535",
  "65536",
  "1e3",
  "0x10",
  "NaN",
  "Infinity",
  "2147483647",
  "2147483648",
  "9007199254740993",
  "1.5",
  ".5",
  "1k",
  "1m",
  "1g",
  "8M",
  "all:3",
  "tagged:0",
  "tagged:100001",
  "json",
  "JSON",
  "gwsocket",
  "text",
  "xml",
  "[::1]:0",
  "::1",
  "localhost:9000",
  "0.0.0.0:",
  ":9000",
  "a,b,,c",
  "9001:9000",
  "X-A: b",
  "X-A:",
  "=",
  "--",
  "-",
  "\n",
  "\r\n",
  "\u0000",
  "\u001b[31m",
  "\u2028",
  "é",
  "😀",
  "\ud800",
];

const anyText = fc.oneof(
  fc.constantFrom(...EDGY),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 8 }),
  // Lone surrogates: not well-formed, and still one argument a shell could pass.
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);

const token = fc.oneof(
  fc.constantFrom(...NAMES).map((n) => `--${n}`),
  fc.tuple(fc.constantFrom(...NAMES), anyText).map(([n, v]) => `--${n}=${v}`),
  fc.constantFrom(...NAMES).map((n) => `-${n}`),
  fc.tuple(fc.constantFrom(...NAMES), anyText).map(([n, v]) => `-${n}=${v}`),
  fc.array(fc.constantFrom(...Object.keys(SHORT), "x", "="), { minLength: 1, maxLength: 4 })
    .map((cs) => `-${cs.join("")}`),
  anyText,
);

const PLATFORMS = ["linux", "darwin", "windows", "win32", "freebsd", ""];

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

test("parseCli never throws and always answers run, help, version or one usage line", () => {
  fc.assert(
    fc.property(
      fc.array(token, { maxLength: 10 }),
      fc.constantFrom(...PLATFORMS),
      (argv, platform) => {
        const r = parseCli(argv, platform);
        assert.ok(["run", "help", "version", "usage"].includes(r.kind), r.kind);
        if (r.kind === "usage") {
          assert.ok(r.message.length > 0, "an empty usage message");
          // One line, and nothing a terminal would act on: values are quoted and escaped.
          assert.doesNotMatch(r.message, CONTROL, `control character in ${r.message}`);
          assert.doesNotMatch(r.message, /\.$/, "usage messages have no trailing period");
        }
        if (r.kind === "run") {
          const c = r.config;
          assert.equal(typeof c.cmd, "string");
          assert.ok(
            c.cmd !== "" || c.dir !== null || c.staticDir !== null || c.cgiDir !== null,
            "a run with no command, nor --dir, --staticdir or --cgidir",
          );
          assert.ok(c.listen.length > 0 || c.unixSocket !== null, "nowhere to listen");
          for (const a of c.listen) assert.ok(Number.isInteger(a.port) && a.port >= 0);
          assert.ok(Number.isInteger(c.maxBuffer) && c.maxBuffer > 0, `maxBuffer ${c.maxBuffer}`);
          assert.ok(Number.isInteger(c.maxFrameSize) && c.maxFrameSize > 0);
          assert.ok(c.delay >= 0 && c.linger >= 0 && c.closeMs >= 0);
        }
      },
    ),
    { numRuns: 3000 },
  );
});

/** Options that are valid on their own and together. */
const VALID_OPTIONS: string[][] = [
  [],
  ["--json"],
  ["--addr", "127.0.0.1:0"],
  ["--port=0"],
  ["--null", "--maxbuffer", "1m"],
  ["-v", "--linger=2.5"],
  ["--binary", "--oneshot"],
  ["--delimiters", ";,"],
  ["--passenv="],
  ["--rooms", "a,b"],
  ["--"],
];

test("everything after CMD belongs to CMD, a leading -- dropped once", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...VALID_OPTIONS),
      anyText.filter((s) => s !== "" && !s.startsWith("-")),
      fc.array(fc.oneof(token, anyText), { maxLength: 6 }),
      (options, cmd, args) => {
        const r = parseCli([...options, cmd, ...args], "linux");
        assert.equal(r.kind, "run", JSON.stringify(r));
        if (r.kind !== "run") return;
        assert.equal(r.config.cmd, cmd);
        assert.deepEqual(r.config.args, args[0] === "--" ? args.slice(1) : args);
      },
    ),
    { numRuns: 1000 },
  );
});

test("a flag value is taken verbatim: joinmsg text survives any characters", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 20 }), (text) => {
      const r = parseCli([`--joinmsg=${text}`, "cat"], "linux");
      if (r.kind !== "run") return assert.fail(JSON.stringify(r));
      assert.equal(r.config.joinMsg, text);
    }),
    { numRuns: 300 },
  );
});
