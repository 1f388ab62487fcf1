// End to end: --maxclients refuses a full room before the upgrade; --ratelimit closes a flood.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY } from "../harness.ts";
import { Client } from "../client.ts";
import { refused } from "./auth-util.ts";

export function limitTests(l: Launcher): void {
  describe("per-room and per-client limits", () => {
    it("refuses the client after --maxclients with 429 and shows the capacity", async () => {
      const s = await launch(l, ["--maxclients", "2", "--api", ...PY, "echo"]);
      const a = await Client.open(s.ws("/room"));
      const b = await Client.open(s.ws("/room"));
      await refused(s.ws("/room"), 429, {}, /^Room full/);
      const rooms = await (await fetch(s.http("/api/rooms"))).json();
      assert.deepEqual(rooms, [{ name: "room", connections: 2, metadata: null, capacity: 2 }]);
      await b.close();
      const c = await Client.open(s.ws("/room"));
      await Promise.all([a.close(), c.close()]);
    });

    it("closes a client over --ratelimit with 1008; the room never sees the excess", async () => {
      const s = await launch(l, ["--ratelimit", "3/60", "--metrics", ...PY, "echo"]);
      const flood = await Client.open(s.ws("/room"));
      const watcher = await Client.open(s.ws("/room"));
      for (let i = 0; i < 10; i++) flood.send(`m${i}`);
      assert.deepEqual(await flood.closedWithin(), { code: 1008, reason: "rate limit exceeded" });
      assert.deepEqual(await watcher.texts(3), ["m0", "m1", "m2"]);
      // The watcher's own message arrives next: nothing of the flood came between.
      watcher.send("after");
      assert.equal(await watcher.text("the watcher's message"), "after");
      const metrics = await (await fetch(s.http("/metrics"))).text();
      assert.match(metrics, /^scalesocket_rate_limit_closes_total 1$/m);
      await watcher.close();
    });
  });
}
