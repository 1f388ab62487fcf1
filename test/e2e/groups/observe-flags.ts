// End to end with other flags: --staticdir beside --api, no NO_COLOR, and the metrics of
// refusals and of a command that cannot be spawned. Routes without --api or --metrics are
// checked in process (test/unit/app-routes.test.ts).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, type Launcher, PY, ROOT, type Running } from "../harness.ts";
import { Client, refusal } from "../client.ts";
import { count, type Sample, valueOf } from "../openmetrics.ts";

/** A command that does not exist: every spawn fails. */
const MISSING = `${ROOT}test/fixtures/no-such-program`;

/** scrape reads a server's /metrics with the real OpenMetrics parser. */
export function flagTests(l: Launcher, scrape: (s: Running) => Promise<Sample[]>): void {
  describe("with --api --staticdir --metrics --maxrooms 1", () => {
    let s: Running;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "scalesocket-observe-"));
      writeFileSync(join(dir, "index.html"), "<h1>our own page</h1>\n");
      const flags = ["--api", "--staticdir", dir, "--metrics", "--maxrooms", "1"];
      s = await launch(l, [...flags, ...PY, "echo"]);
    });
    after(async () => {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("counts refused connections by reason: invalid_room and too_many_rooms", async () => {
      const c = await Client.open(s.ws("/first"));
      c.send("hello");
      assert.equal(await c.text("the echo"), "hello");
      assert.equal((await refusal(s.ws("/second"))).status, 429);
      assert.equal((await refusal(s.ws("/%00x"))).status, 400);
      const m = await scrape(s);
      const refused = "scalesocket_connections_refused_total";
      assert.equal(valueOf(m, refused, { reason: "too_many_rooms" }), 1);
      assert.equal(valueOf(m, refused, { reason: "invalid_room" }), 1);
      await c.close();
    });
  });

  describe("without --api or --metrics, and without NO_COLOR", () => {
    let s: Running;
    // MISSING, so the log has an error line as well as info lines.
    before(async () => {
      s = await launch(l, [MISSING], { env: { NO_COLOR: undefined } });
    });
    after(() => s.stop());

    it("writes no ANSI escapes to a stderr that is not a terminal", async () => {
      const c = await Client.open(s.ws("/colour"));
      assert.equal((await c.closedWithin()).code, 1011);
      await s.waitForLog(/client disconnected/);
      assert.match(s.stderr(), /\bERROR\b/, "no error line was logged");
      assert.ok(!s.stderr().includes("\x1b"), `escape codes in the log:\n${s.stderr()}`);
    });
  });

  it("counts a command that cannot be spawned as spawn_failed", async () => {
    const s = await launch(l, ["--metrics", MISSING]);
    const c = await Client.open(s.ws("/nothing"));
    assert.equal((await c.closedWithin()).code, 1011);
    const m = await scrape(s);
    assert.equal(
      valueOf(m, "scalesocket_processes_exited_total", { outcome: "spawn_failed" }),
      1,
    );
    assert.equal(count(m, "scalesocket_processes_spawned_total"), 0);
    assert.equal(count(m, "scalesocket_spawn_seconds_count"), 0);
    await s.stop();
  });
}
