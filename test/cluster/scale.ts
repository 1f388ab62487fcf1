// Scaling: a node added behind haproxy takes new rooms and moves no running one; a node drained
// with SIGTERM stops taking rooms, closes its own with 1012 and lets them start elsewhere at once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type Launcher, waitFor } from "../e2e/harness.ts";
import { Client, refusal } from "../e2e/client.ts";
import { runs } from "./epochs.ts";
import { clusterHooks, readyStatus, type TestCluster } from "./nodes.ts";
import { openRooms, ranOn, reopen } from "./rooms.ts";

export function scaleTests(l: Launcher): void {
  describe("a node added and a node drained", () => {
    let c: TestCluster;
    const via = (room: string) => `ws://127.0.0.1:${c.haproxy!.port}/${room}`;
    clusterHooks({
      launcher: l,
      // Three, not two: a node starting up takes a busy two-core machine's CPU for seconds.
      lease: 3,
      flags: ["--drain=1"],
      haproxy: true,
      spare: 1,
    }, (started) => c = started);

    it("keeps running rooms where they are when a fourth node joins, and gives it new rooms", async (t) => {
      const rooms = Array.from({ length: 8 }, (_, i) => `stay-${i}`);
      const clients = await Promise.all(rooms.map((r) => Client.open(via(r))));
      const owners = await Promise.all(rooms.map((r) => c.owner(r)));
      const n4 = await c.addNode();
      await c.haproxy!.admin(`enable server scalesocket/${n4.id}`);
      await waitFor(
        async () => /\bn4 \S+ 2 /.test(await c.haproxy!.admin("show servers state scalesocket")),
        "haproxy to take n4 into rotation",
      );
      // New clients of the running rooms, some now sent to n4: relayed to the owners.
      const more = await Promise.all(rooms.map((r) => Client.open(via(r))));
      for (const [i, room] of rooms.entries()) {
        assert.equal(await c.owner(room), owners[i], `room ${room} should stay on ${owners[i]}`);
        const n = runs(c.dir, room).length;
        assert.equal(n, 1, `room ${room} should still have one child, had ${n}:\n${c.logs()}`);
      }
      const fresh = Array.from({ length: 12 }, (_, i) => `new-${i}`);
      const newcomers = await Promise.all(fresh.map((r) => Client.open(via(r))));
      const placed = await Promise.all(fresh.map((r) => c.owner(r)));
      t.diagnostic(`new rooms' owners: ${placed.join(" ")}`);
      assert.ok(placed.includes("n4"), `some of 12 new rooms should land on n4: ${placed}`);
      await Promise.all([...clients, ...more, ...newcomers].map((x) => x.close()));
    });

    it("drains a node on SIGTERM: not ready, no new room, 1012, rooms elsewhere at once, exit 0", async (t) => {
      const [n1, n2] = c.nodes;
      const rooms = ["drained-a", "drained-b"];
      const clients = await openRooms(c, n1, rooms);
      process.kill(n1.server.pid, "SIGTERM");
      await waitFor(async () => await readyStatus(n1) === 503, "n1's /ready to be 503");
      const refused = await refusal(n1.ws("/drained-new"));
      assert.equal(refused.status, 503, "a draining node should start no new room");
      for (const x of clients) {
        const closed = await x.closedWithin(5000);
        assert.equal(closed.code, 1012, `a drained room's client got ${closed.code}:\n${c.logs()}`);
      }
      const closedAt = Date.now();
      for (const room of rooms) {
        await waitFor(async () => await c.owner(room) === null, `${room}'s lease to be released`);
        const back = await reopen(n2, room, c.leaseMs);
        await waitFor(() => ranOn(c, room) === "n2", `room ${room} to run on n2`);
        await back.close();
      }
      const ms = Date.now() - closedAt;
      t.diagnostic(`drained rooms back on n2 ${ms} ms after their 1012`);
      assert.ok(ms < c.leaseMs, `rooms should not wait for their lease to lapse (${ms} ms)`);
      const exit = await n1.server.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, "a drained node should exit 0");
    });
  });
}
