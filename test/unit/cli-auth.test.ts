// Unit tests for the authentication and limit flags: validated, combined sensibly, no secret on stderr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type CliResult, parseCli } from "../../src/cli/parse.ts";
import type { Config } from "../../src/config.ts";

const SECRET = "0123456789abcdef-jwt";
const AUTH = "http://127.0.0.1:8080/auth";
function parsed(argv: string[], env: Record<string, string> = {}): CliResult {
  return parseCli([...argv, "cat"], "linux", env);
}

function config(argv: string[], env: Record<string, string> = {}): Config {
  const result = parsed(argv, env);
  if (result.kind !== "run") assert.fail(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

function usage(argv: string[], env: Record<string, string> = {}): string {
  const result = parsed(argv, env);
  if (result.kind !== "usage") assert.fail(`expected usage, got ${JSON.stringify(result)}`);
  assert.doesNotMatch(result.message, /\n/, "one line");
  return result.message;
}

test("each key source lands in the config, with its options and defaults", () => {
  assert.deepEqual(config(["--jwt-secret", SECRET]).auth, {
    jwt: { key: { kind: "secret", secret: SECRET }, audience: null, issuer: null },
    endpoint: null,
    cookie: null,
    expireClose: true,
    publicApi: false,
  });
  const pem = config([
    "--jwt-key=k.pem",
    "--jwt-audience=chat",
    "--jwt-issuer=https://id.example",
    "--jwt-cookie=session",
    "--jwt-no-expire-close",
    "--public-api",
  ]).auth;
  assert.deepEqual(pem, {
    jwt: { key: { kind: "pem", file: "k.pem" }, audience: "chat", issuer: "https://id.example" },
    endpoint: null,
    cookie: "session",
    expireClose: false,
    publicApi: true,
  });
  assert.deepEqual(config(["--jwks", "https://id.example/jwks"]).auth?.jwt?.key, {
    kind: "jwks",
    url: "https://id.example/jwks",
  });
  assert.deepEqual(config(["--jwks", "keys.json"]).auth?.jwt?.key, {
    kind: "jwks",
    file: "keys.json",
  });
  assert.deepEqual(config(["--auth", AUTH]).auth?.endpoint, { url: AUTH, timeoutMs: 5000 });
  assert.deepEqual(config(["--auth", AUTH, "--auth-timeout", "0.25"]).auth?.endpoint, {
    url: AUTH,
    timeoutMs: 250,
  });
});

test("SCALESOCKET_JWT_SECRET turns tokens on, unless a flag names another way", () => {
  const env = { SCALESOCKET_JWT_SECRET: SECRET };
  assert.deepEqual(config([], env).auth?.jwt?.key, { kind: "secret", secret: SECRET });
  assert.equal(config(["--jwt-secret", `${SECRET}-flag`], env).auth?.jwt?.key.kind, "secret");
  assert.deepEqual(config(["--jwt-key", "k.pem"], env).auth?.jwt?.key, {
    kind: "pem",
    file: "k.pem",
  });
  assert.equal(config(["--auth", AUTH], env).auth?.jwt, null);
  assert.equal(
    usage([], { SCALESOCKET_JWT_SECRET: "short" }),
    "Invalid SCALESOCKET_JWT_SECRET: expected a secret of at least 16 characters",
  );
});

test("the variable alone turns tokens on, as --jwt-secret does", () => {
  const result = parseCli(["cat"], "linux", { SCALESOCKET_JWT_SECRET: SECRET });
  if (result.kind !== "run") assert.fail(`expected a config, got ${JSON.stringify(result)}`);
  assert.deepEqual(result.config.auth?.jwt?.key, { kind: "secret", secret: SECRET });
});

test("one way to decide who joins: key sources and --auth conflict", () => {
  assert.equal(
    usage(["--jwt-secret", SECRET, "--jwt-key", "k"]),
    "--jwt-secret cannot be combined with --jwt-key",
  );
  assert.equal(
    usage(["--jwt-key", "k", "--jwks", "j"]),
    "--jwt-key cannot be combined with --jwks",
  );
  assert.equal(usage(["--auth", AUTH, "--jwks", "j"]), "--auth cannot be combined with --jwks");
});

test("options without what they modify are refused, naming what is missing", () => {
  assert.equal(
    usage(["--jwt-audience", "a"]),
    "--jwt-audience requires --jwt-secret, --jwt-key or --jwks",
  );
  assert.equal(
    usage(["--auth", AUTH, "--jwt-cookie", "c"]),
    "--jwt-cookie requires --jwt-secret, --jwt-key or --jwks",
  );
  assert.equal(usage(["--auth-timeout", "2"]), "--auth-timeout requires --auth");
  assert.equal(
    usage(["--public-api"]),
    "--public-api requires --auth, --jwt-secret, --jwt-key or --jwks",
  );
});

test("bad values are refused; secrets and URLs that may hold credentials are not repeated", () => {
  const cases: [string[], string | RegExp][] = [
    [
      ["--jwt-secret", "hunter2"],
      "Invalid value for --jwt-secret: expected a secret of at least 16 characters",
    ],
    [["--auth", "ftp://user:pw@h/x"], /^Invalid value for --auth: expected an http/],
    [["--auth", "not a url"], /^Invalid value for --auth/],
    [["--jwks", "ftp://h/keys"], /^Invalid value for --jwks: expected an http/],
    [["--jwt-cookie", "a b"], /^Invalid value "a b" for --jwt-cookie/],
    [["--jwt-audience", ""], /^Invalid value "" for --jwt-audience/],
    [
      ["--auth-timeout", "0"],
      /^Invalid value "0" for --auth-timeout: expected a number of seconds above 0/,
    ],
    [["--maxclients", "0"], /^Invalid value "0" for --maxclients/],
    [["--ratelimit", "0"], /^Invalid value "0" for --ratelimit: expected N\[\/SECONDS\]/],
    [["--ratelimit", "5/0"], /^Invalid value "5\/0" for --ratelimit/],
    [["--ratelimit", "5/x"], /^Invalid value "5\/x" for --ratelimit/],
    [["--ratelimit", "-1"], /^Missing value for --ratelimit|^Invalid value "-1"/],
  ];
  for (const [argv, expected] of cases) {
    const message = usage(argv);
    if (typeof expected === "string") assert.equal(message, expected, argv.join(" "));
    else assert.match(message, expected, argv.join(" "));
    assert.ok(!message.includes("hunter2") && !message.includes("user:pw"), message);
  }
});

test("--maxclients and --ratelimit land in the config; a bare rate is per second", () => {
  assert.equal(config(["--maxclients", "10"]).maxClients, 10);
  assert.deepEqual(config(["--ratelimit", "20"]).rateLimit, { messages: 20, seconds: 1 });
  assert.deepEqual(config(["--ratelimit", "100/60"]).rateLimit, { messages: 100, seconds: 60 });
  assert.deepEqual(config(["--ratelimit=5/0.5"]).rateLimit, { messages: 5, seconds: 0.5 });
});
