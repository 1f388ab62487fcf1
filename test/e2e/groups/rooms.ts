// End to end: rooms and routes (S2): who shares a child, which paths are rooms, what is refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client, refusal } from "../client.ts";
import WebSocket from "ws";

export function roomTests(l: Launcher): void {
  describe("rooms", () => {
    let s: Running;
    before(async () => s = await launch(l, [...PY, "pid"]));
    after(() => s.stop());

    it("clients of one room share one child and another room gets its own", async () => {
      const a = await Client.open(s.ws("/lobby"));
      const pid = await a.text("the lobby child's pid");
      const b = await Client.open(s.ws("/lobby/"));
      const c = await Client.open(s.ws("/other?x=1"));
      const otherPid = await c.text("the other child's pid");
      assert.notEqual(pid, otherPid, "two rooms must not share a child");
      a.send("hello");
      assert.equal(await a.text(), `${pid} hello`);
      assert.equal(await b.text(), `${pid} hello`, "b joined /lobby/, the same room as /lobby");
      c.send("hi");
      assert.equal(await c.text(), `${otherPid} hi`, "the other room saw the lobby's line");
      await Promise.all([a.close(), b.close(), c.close()]);
    });

    it("/lobby?x=1 is room lobby", async () => {
      const a = await Client.open(s.ws("/q"));
      const pid = await a.text();
      const b = await Client.open(s.ws("/q?x=1&y=2"));
      b.send("via query");
      assert.equal(await a.text(), `${pid} via query`);
      await Promise.all([a.close(), b.close()]);
    });

    // The other reserved and malformed names, and the 404s, are refused in process
    // (test/unit/app-refusals.test.ts); this one shows the refusal on the wire.
    it("refuses /health with 400 Invalid room before the upgrade", async () => {
      const r = await refusal(s.ws("/health"));
      assert.equal(r.status, 400, r.message);
      assert.equal(r.body.trim(), "Invalid room");
    });

    it("accepts spaces, punctuation and non-ASCII, decoded once, up to 128 bytes", async () => {
      for (const name of ["a b!$&'()", "日本語", "x".repeat(128), "%41"]) {
        const c = await Client.open(s.ws(`/${encodeURIComponent(name)}`));
        assert.match(await c.text(`the pid from room ${name}`), /^\d+$/);
        await c.close();
      }
    });
  });

  describe("room limits", () => {
    it("--maxrooms refuses a new room with 429 before the upgrade, and frees the slot", async () => {
      const s = await launch(l, ["--maxrooms", "1", ...PY, "pid"]);
      const a = await Client.open(s.ws("/one"));
      const pid = Number(await a.text());
      const again = await Client.open(s.ws("/one"));
      const r = await refusal(s.ws("/two"));
      assert.equal(r.status, 429);
      assert.match(r.body, /Too many rooms/);
      await Promise.all([a.close(), again.close()]);
      await waitFor(() => !alive(pid), "the first room's child to be stopped");
      // The room is gone with its child: a new room fits again.
      await waitFor(async () => {
        try {
          await (await Client.open(s.ws("/two"))).close();
          return true;
        } catch {
          return false;
        }
      }, "room two to be accepted");
      await s.stop();
    });

    it("--oneshot serves one client, refuses others with 429 and exits 0 when it leaves", async () => {
      const s = await launch(l, ["--oneshot", ...PY, "echo"]);
      const a = await Client.open(s.ws("/solo"));
      assert.equal((await refusal(s.ws("/solo"))).status, 429);
      a.send("ping");
      assert.equal(await a.text(), "ping");
      await a.close();
      const exit = await s.exited;
      assert.equal(exit.code, 0, s.stderr());
    });

    it("--oneshot exits 0 when the child exits", async () => {
      const s = await launch(l, ["--oneshot", ...PY, "write", "bye\\n"]);
      const a = await Client.open(s.ws("/solo"));
      assert.equal(await a.text(), "bye");
      assert.equal((await a.closedWithin()).code, 1000);
      assert.equal((await s.exited).code, 0, s.stderr());
    });
  });

  describe("response headers", () => {
    let s: Running;
    before(async () =>
      s = await launch(l, [
        "--header",
        "X-All: a",
        "--header-ws",
        "X-Ws: w",
        "--header-http",
        "X-Http: h",
        ...PY,
        "echo",
      ])
    );
    after(() => s.stop());

    // The headers of plain HTTP answers are checked in process (test/unit/app-routes.test.ts);
    // these must also reach the wire in the 101.
    it("--header and --header-ws are on the websocket upgrade, --header-http is not", async () => {
      const headers = await new Promise<Record<string, string | string[] | undefined>>(
        (resolve, reject) => {
          const ws = new WebSocket(s.ws("/h"));
          ws.once("upgrade", (res) => resolve(res.headers));
          ws.once("open", () => ws.close());
          ws.once("error", reject);
        },
      );
      assert.equal(headers["x-all"], "a");
      assert.equal(headers["x-ws"], "w");
      assert.equal(headers["x-http"], undefined);
    });
  });
}
