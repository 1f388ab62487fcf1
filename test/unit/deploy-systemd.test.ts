// Unit tests for deploy/systemd/scalesocket.service: its flags exist, its stop waits for the
// drain, and systemd itself accepts it (systemd-analyze verify, where installed).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../deploy/kube.ts";
import { assertCommandLine, flagValue } from "../deploy/flags.ts";

const UNIT = join(ROOT, "deploy", "systemd", "scalesocket.service");
const text = readFileSync(UNIT, "utf8");

/** The unit's settings, the last one winning as in systemd (lists are not needed here). */
function settings(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) map.set(m[1], m[2]);
  }
  return map;
}
const unit = settings();
const execStart = unit.get("ExecStart")!.split(/\s+/);

test("the unit runs the single binary with only flags that scalesocket --help lists", () => {
  assert.equal(execStart[0], "/usr/local/bin/scalesocket");
  assertCommandLine(execStart.slice(1), "deploy/systemd/scalesocket.service");
});

test("the secret comes from an EnvironmentFile, never from the command line", () => {
  assert.ok(unit.get("EnvironmentFile"), "EnvironmentFile= holds SCALESOCKET_CLUSTER_SECRET");
  assert.ok(!execStart.some((a) => a.startsWith("--cluster-secret")), "secret in ExecStart");
});

test("stopping signals scalesocket alone and waits longer than its drain", () => {
  assert.equal(
    unit.get("KillMode"),
    "mixed",
    "SIGTERM to every room's process would cut the drain",
  );
  const drain = Number(flagValue(execStart, "--drain"));
  const timeout = Number(unit.get("TimeoutStopSec"));
  assert.ok(timeout >= drain + 2 + 10, `TimeoutStopSec ${timeout} < --drain ${drain} + 12`);
});

test("the unit is sandboxed", () => {
  for (
    const [key, value] of [["ProtectSystem", "strict"], ["NoNewPrivileges", "yes"], [
      "PrivateTmp",
      "yes",
    ]]
  ) {
    assert.equal(unit.get(key), value, `${key}=${value}`);
  }
  assert.ok(unit.get("RestrictAddressFamilies"), "RestrictAddressFamilies=");
  assert.ok(unit.get("DynamicUser") === "yes" || unit.get("User"), "an unprivileged user");
});

function has(tool: string): boolean {
  return spawnSync(tool, ["--version"], { stdio: "ignore" }).status === 0;
}

test("systemd-analyze verify accepts the unit without a warning", (t) => {
  const units = "/usr/lib/systemd/system";
  if (!has("systemd-analyze") || !existsSync(units)) {
    t.skip("no systemd-analyze or no /usr/lib/systemd/system here");
    return;
  }
  // A root of its own: systemd's stock units, the unit, and a stand-in executable, since
  // verify checks that ExecStart's binary exists and none is installed on this machine.
  const root = mkdtempSync(join(tmpdir(), "scalesocket-unit-"));
  try {
    mkdirSync(join(root, "usr/lib/systemd"), { recursive: true });
    mkdirSync(join(root, "usr/local/bin"), { recursive: true });
    mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
    execFileSync("cp", ["-a", units, join(root, "usr/lib/systemd/")]);
    writeFileSync(join(root, "usr/local/bin/scalesocket"), "#!/bin/sh\n");
    chmodSync(join(root, "usr/local/bin/scalesocket"), 0o755);
    writeFileSync(join(root, "etc/systemd/system/scalesocket.service"), text);
    const run = spawnSync("systemd-analyze", [
      "verify",
      "--man=no",
      `--root=${root}`,
      "scalesocket.service",
    ], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(run.status, 0, `systemd-analyze verify failed: ${run.stderr}`);
    assert.equal(run.stderr.trim(), "", "systemd-analyze verify warned");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
