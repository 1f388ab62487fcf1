// S7 end to end: health, readiness, the listening line, log formats, and shutdown on signals.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client } from "../client.ts";

/** The promise's value, or a failure naming what did not happen within ms. */
function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** The HTTP status of GET path, or 0 when the server does not answer. */
async function status(s: Running, path: string): Promise<number> {
  try {
    const res = await fetch(s.http(path));
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

/** The pid of the child the server started for room, read from its log. */
async function childPid(s: Running, room: string): Promise<number> {
  const m = await s.waitForLog(new RegExp(`process started room=${room} pid=(\\d+)`));
  return Number(m[1]);
}

export function lifecycleTests(l: Launcher): void {
  describe("server lifecycle", () => {
    describe("while serving", () => {
      let s: Running;
      before(async () => s = await launch(l, [...PY, "echo"]));
      after(() => s.stop());

      it("says listening on http://127.0.0.1:<port> with the real port in its first info line", async () => {
        const first = s.stderr().split("\n").find((line) => /\bINFO\b/.test(line));
        assert.ok(first, `no info line in:\n${s.stderr()}`);
        assert.ok(s.port > 0, `port ${s.port} is not a real port`);
        assert.ok(
          first.includes(`listening on http://127.0.0.1:${s.port}`),
          `the first info line is ${JSON.stringify(first)}`,
        );
        assert.equal(await status(s, "/health"), 200, `nothing answers on port ${s.port}`);
      });
    });

    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      it(`${signal} closes clients with 1001 going away, stops the children and exits 0`, async () => {
        const s = await launch(l, [...PY, "pid"]);
        const clients = await Promise.all(["/one", "/two"].map((p) => Client.open(s.ws(p))));
        const pids = await Promise.all(clients.map(async (c) => Number(await c.text("a pid"))));
        for (const pid of pids) assert.ok(alive(pid), `child ${pid} is not running`);
        const exit = await within(s.stop(signal), `the server's exit after ${signal}`);
        for (const c of clients) {
          assert.deepEqual(await c.closedWithin(), { code: 1001, reason: "going away" });
        }
        assert.deepEqual(exit, { code: 0, signal: null }, s.stderr());
        for (const pid of pids) assert.ok(!alive(pid), `child ${pid} outlived the server`);
        assert.match(s.stderr(), /INFO\s+stopped/);
      });
    }

    describe("with a child that ignores SIGINT and SIGTERM", () => {
      let dir: string;
      before(() => dir = mkdtempSync(join(tmpdir(), "scalesocket-signals-")));
      after(() => rmSync(dir, { recursive: true, force: true }));

      /** A server whose room `stubborn` has a child that takes seconds to stop. */
      async function stubborn(name: string) {
        const file = join(dir, name);
        const s = await launch(l, ["--closems", "3000", ...PY, "signals", file]);
        const c = await Client.open(s.ws("/stubborn"));
        assert.equal(await c.text("the child's ready line"), "ready");
        const pid = await childPid(s, "stubborn");
        const noted = () => existsSync(file) ? readFileSync(file, "utf8") : "";
        return { s, c, pid, noted };
      }

      it("answers /ready with 503 while draining", async () => {
        const { s, c, pid } = await stubborn("ready");
        try {
          assert.equal(await status(s, "/ready"), 200);
          void s.stop("SIGTERM");
          assert.deepEqual(await c.closedWithin(), { code: 1001, reason: "going away" });
          await waitFor(async () => await status(s, "/ready") === 503, "/ready to answer 503");
        } finally {
          // The second signal ends the draining, which would otherwise take seconds.
          await within(s.stop("SIGTERM"), "the server's exit after a second SIGTERM");
          await waitFor(() => !alive(pid), `child ${pid} to be killed`, 2_000);
        }
      });

      it("stops at once on a second signal, killing the child", async () => {
        const { s, pid, noted } = await stubborn("second");
        void s.stop("SIGTERM");
        // The child notes EOF when the termination table closes its stdin, its first step.
        await waitFor(() => noted().includes("EOF"), "the child's stdin to be closed");
        // Left alone, SIGINT would come 3.1 s later and SIGKILL after 10 s.
        const exit = await within(
          s.stop("SIGTERM"),
          "the server's exit after a second SIGTERM",
          2_000,
        );
        assert.deepEqual(exit, { code: 0, signal: null }, s.stderr());
        await waitFor(() => !alive(pid), `child ${pid} to be killed`, 2_000);
        assert.doesNotMatch(noted(), /SIGTERM/, "the termination table went on to SIGTERM");
      });
    });

    it("--log=json writes one JSON object per line with time, level and msg", async () => {
      const s = await launch(l, ["--log=json", ...PY, "stderr", "hello from the child"]);
      const c = await Client.open(s.ws("/json"));
      c.send("ping");
      assert.equal(await c.text("the echo"), "ping");
      await s.waitForLog(/hello from the child/);
      await c.close();
      await s.waitForLog(/process exited/);
      assert.deepEqual(await within(s.stop(), "the server's exit"), { code: 0, signal: null });
      const lines = s.stderr().split("\n").filter((line) => line !== "");
      const entries = lines.map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return assert.fail(`not a JSON line: ${line}`);
        }
      });
      for (const [i, e] of entries.entries()) {
        assert.ok(e !== null && typeof e === "object", `not an object: ${lines[i]}`);
        assert.ok(!isNaN(Date.parse(e.time)), `no valid time in ${lines[i]}`);
        assert.match(e.level, /^(error|warn|info|debug|trace)$/, `bad level in ${lines[i]}`);
        assert.equal(typeof e.msg, "string", `no msg in ${lines[i]}`);
      }
      assert.match(entries[0].msg, new RegExp(`^listening on http://127\\.0\\.0\\.1:${s.port}$`));
      const child = entries.find((e) => e.msg === "hello from the child");
      assert.ok(child, "the child's stderr line was not logged");
      assert.equal(child.room, "json");
      assert.equal(typeof child.pid, "number");
    });

    it("-v adds debug lines, which are off by default", async () => {
      const [verbose, quiet] = await Promise.all([
        launch(l, ["-v", ...PY, "echo"]),
        launch(l, [...PY, "echo"]),
      ]);
      for (const s of [verbose, quiet]) {
        const c = await Client.open(s.ws("/debug"));
        await c.close();
        await s.waitForLog(/process exited/);
      }
      await verbose.waitForLog(/DEBUG\s+process stopped/);
      await Promise.all([verbose.stop(), quiet.stop()]);
      assert.doesNotMatch(quiet.stderr(), /\bDEBUG\b/);
    });
  });
}
