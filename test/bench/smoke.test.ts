// Smoke test of the benchmark harness: every scenario runs at tiny sizes and reports. It checks
// that the harness works, never how fast anything is: a timing asserted on a shared machine
// would fail by chance. Kept out of test:unit (npm run test:bench; .ci/run runs it once).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../scripts/bench.ts";
import { BUNDLE } from "../../scripts/bench/build.ts";

function has(program: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${program}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const bundled = existsSync(BUNDLE);
const skip = bundled ? false : "dist/scalesocket.mjs is missing: run 'npm run build' first";

test("the benchmark harness runs every scenario at tiny sizes and writes its report", {
  skip,
  // The cluster runs start two nodes each, and a fresh Redis refuses claims for one lease.
  timeout: 150_000,
}, async () => {
  const out = mkdtempSync(join(tmpdir(), "bench-smoke-"));
  // websocketd is optional: without it, its runs are skipped and the rest still runs.
  const peers = ["bare", "bare-pipe", "node", ...(has("websocketd") ? ["websocketd"] : [])];
  if (!peers.includes("websocketd")) {
    console.log("websocketd not installed: the smoke test runs without that peer");
  }
  const lines: string[] = [];
  try {
    const code = await main(
      ["--tiny", "--no-install", "--peers", peers.join(","), "--out", out],
      (line) => void lines.push(line),
    );
    assert.equal(code, 0, lines.join("\n"));
    const failures = lines.filter((l) => /failed/.test(l));
    assert.deepEqual(failures, [], lines.join("\n"));
    for (
      const scenario of ["fan-out", "chat", "echo", "rooms", "idle", "storm", "burst", "startup"]
    ) {
      // The floor of the scenarios with a child is the bare server through a child.
      const bare = scenario === "burst" ? "bare-pipe" : "bare";
      for (const peer of [bare, "node"]) {
        assert.ok(
          lines.some((l) => l.startsWith(`${scenario} `) && l.includes(` ${peer}: `)),
          `no ${scenario} line for ${peer} in:\n${lines.join("\n")}`,
        );
      }
    }
    if (has("redis-server")) {
      for (const scenario of ["cluster fan-out", "cluster chat"]) {
        for (const peer of ["node", "cluster-direct", "cluster-relayed", "cluster-proxied"]) {
          assert.ok(
            lines.some((l) => l.startsWith(`${scenario} `) && l.includes(` ${peer}: `)),
            `no ${scenario} line for ${peer} in:\n${lines.join("\n")}`,
          );
        }
      }
    } else {
      console.log("redis-server not installed: the smoke test runs without the cluster scenario");
    }
    const md = readFileSync(join(out, "benchmarks.md"), "utf8");
    assert.match(md, /#### Targets/);
    assert.match(md, /### Fan-out/);
    assert.match(readFileSync(join(out, "benchmarks.svg"), "utf8"), /^<svg [^>]*>/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
