// Unit tests for the cluster flags: validated like every other flag, and no secret on stderr.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCli } from "../../src/cli/parse.ts";
import type { ClusterConfig } from "../../src/config.ts";

const SECRET = "0123456789abcdef-secret";
const BASE = ["--cluster", "redis://:hunter2hunter2@redis.internal:6380/2", "--advertise"];

function usage(argv: string[], env: Record<string, string> = {}): string {
  const result = parseCli([...argv, "cat"], "linux", env);
  if (result.kind !== "usage") assert.fail(`expected usage, got ${JSON.stringify(result)}`);
  assert.doesNotMatch(result.message, /\n/, "one line");
  return result.message;
}

/** The cluster part of a config, ignoring "not supported yet" while the flag is not wired. */
function cluster(argv: string[], env: Record<string, string> = {}): ClusterConfig | null {
  const result = parseCli([...argv, "cat"], "linux", env);
  if (result.kind === "run") return result.config.cluster;
  assert.deepEqual(result, { kind: "usage", message: "--cluster is not supported yet" });
  return null;
}

test("a missing --advertise or secret is one line naming it", () => {
  assert.equal(usage(["--cluster", "redis://r"]), "--cluster requires --advertise");
  assert.equal(
    usage([...BASE, "10.0.0.7:9000"]),
    "--cluster requires --cluster-secret or SCALESOCKET_CLUSTER_SECRET",
  );
  assert.equal(usage(["--advertise", "10.0.0.7:9000"]), "--advertise requires --cluster");
  assert.equal(usage(["--lease", "3"]), "--lease requires --cluster");
  assert.equal(usage(["--drain", "3"]), "--drain requires --cluster");
});

test("bad cluster values are refused, naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["--cluster", "http://r:6379"], /^Invalid value for --cluster: expected redis:\/\//],
    [["--cluster", "redis://"], /^Invalid value for --cluster/],
    [["--cluster", "redis://r/x"], /^Invalid value for --cluster/],
    [["--advertise", "0.0.0.0:9000"], /^Invalid value "0.0.0.0:9000" for --advertise/],
    [["--advertise", "h:0"], /^Invalid value "h:0" for --advertise/],
    [["--advertise", "h"], /^Invalid value "h" for --advertise/],
    [["--node-id", "a|b"], /^Invalid value "a\|b" for --node-id/],
    [["--cluster-prefix", ""], /^Invalid value "" for --cluster-prefix/],
    [["--lease", "0.5"], /^Invalid value "0.5" for --lease: expected a number of seconds from 1/],
    [["--lease", "3601"], /^Invalid value "3601" for --lease/],
    [["--drain", "-1"], /^Missing value for --drain|^Invalid value "-1" for --drain/],
  ];
  for (const [argv, pattern] of cases) assert.match(usage(argv), pattern, argv.join(" "));
});

test("neither a short secret nor a Redis password is repeated in an error", () => {
  const short = usage([...BASE, "10.0.0.7:9000", "--cluster-secret", "tooshort"]);
  assert.equal(
    short,
    "Invalid value for --cluster-secret: expected a secret of at least 16 characters",
  );
  const fromEnv = usage([...BASE, "10.0.0.7:9000"], { SCALESOCKET_CLUSTER_SECRET: "tooshort" });
  assert.equal(
    fromEnv,
    "Invalid SCALESOCKET_CLUSTER_SECRET: expected a secret of at least 16 characters",
  );
  const url = usage(["--cluster", "http://user:hunter2@r:6379"]);
  assert.doesNotMatch(url, /hunter2/);
});

test("cluster values land in the config, the secret from the flag or the environment", () => {
  const flag = cluster([...BASE, "[fd00::7]:9000", "--cluster-secret", SECRET, "--lease", "3"]);
  const env = cluster([...BASE, "10.0.0.7:9000", "--node-id", "n1", "--drain", "0.5"], {
    SCALESOCKET_CLUSTER_SECRET: SECRET,
  });
  if (flag === null || env === null) return; // not wired yet: the refusal was checked above
  assert.deepEqual(flag, {
    url: "redis://:hunter2hunter2@redis.internal:6380/2",
    redacted: "redis://:***@redis.internal:6380/2",
    advertise: "[fd00::7]:9000",
    nodeId: null,
    secret: SECRET,
    prefix: "ss:",
    leaseMs: 3000,
    drainMs: 30000,
  });
  assert.equal(env.secret, SECRET);
  assert.equal(env.nodeId, "n1");
  assert.equal(env.drainMs, 500);
  assert.equal(env.leaseMs, 15000);
});

test("--cluster cannot be combined with --perconnection or --oneshot", () => {
  const ok = [...BASE, "10.0.0.7:9000", "--cluster-secret", SECRET];
  assert.equal(
    usage([...ok, "--perconnection"]),
    "--cluster cannot be combined with --perconnection",
  );
  assert.equal(usage([...ok, "--oneshot"]), "--cluster cannot be combined with --oneshot");
});
