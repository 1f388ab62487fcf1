// An owner that dies or stalls: its children go (the watchdog, outside its event loop, sees to
// it), its rooms start again on another node after one lease length, never two at once.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { type Launcher, waitFor } from "../e2e/harness.ts";
import { monotonicMs } from "./epochs.ts";
import { clusterHooks, readyStatus, type TestCluster } from "./nodes.ts";
import { allDead, latest, openRooms, ranOn, reopen } from "./rooms.ts";

/** Slack for a loaded two-core machine on top of what the lease timing promises. */
const SLACK_MS = 1500;

export function failoverTests(l: Launcher): void {
  describe("an owner killed or paused", () => {
    let c: TestCluster;
    clusterHooks({ launcher: l, lease: 2 }, (started) => c = started);

    it("kills a SIGKILLed owner's children at once and starts its rooms elsewhere within a lease", async (t) => {
      const [n1, n2] = c.nodes;
      const rooms = ["killed-a", "killed-b", "killed-c"];
      const clients = await openRooms(c, n1, rooms);
      const pids = rooms.map((r) => latest(c, r).pid);
      const killedAt = Date.now();
      await n1.server.stop("SIGKILL");
      await allDead(pids, "the dead owner's children", 1000);
      for (const x of clients) await x.closedWithin(5000);
      for (const room of rooms) {
        const back = await reopen(n2, room, c.leaseMs + SLACK_MS);
        const ms = Date.now() - killedAt;
        await waitFor(() => ranOn(c, room) !== "n1", `room ${room} to run on a live node`);
        t.diagnostic(`${room} back on ${latest(c, room).node} ${ms} ms after the kill`);
        await back.close();
      }
    });

    it("kills a paused owner's children by the hard deadline, and the owner serves again on SIGCONT", async (t) => {
      const [, n2, n3] = c.nodes;
      const rooms = ["paused-a", "paused-b"];
      const clients = await openRooms(c, n2, rooms);
      const pids = rooms.map((r) => latest(c, r).pid);
      const pausedAt = monotonicMs();
      process.kill(n2.server.pid, "SIGSTOP");
      try {
        // The last renewal was sent before the pause: the hard deadline is at most 0.8 L on.
        await allDead(pids, "the paused owner's children", c.leaseMs);
        for (const room of rooms) {
          const last = latest(c, room).last - pausedAt;
          t.diagnostic(`${room}: last stamp ${last.toFixed(0)} ms after the pause`);
          assert.ok(last <= 0.8 * c.leaseMs + 250, `${room} ran ${last} ms into the pause`);
        }
        for (const room of rooms) {
          // Relayed to the stopped owner until the lease lapses: each try may wait out a dial.
          const back = await reopen(n3, room, 2 * c.leaseMs + 6000);
          await waitFor(() => ranOn(c, room) === "n3", `room ${room} to run on n3`);
          await back.close();
        }
        // Two lease lengths of pause in all, then the owner goes on.
        const until = pausedAt + 2 * c.leaseMs;
        if (monotonicMs() < until) await new Promise((r) => setTimeout(r, until - monotonicMs()));
      } finally {
        process.kill(n2.server.pid, "SIGCONT");
      }
      for (const x of clients) {
        const closed = await x.closedWithin(5000);
        assert.ok([1012, 1006].includes(closed.code), `n2's clients closed with ${closed.code}`);
      }
      await waitFor(async () => await readyStatus(n2) === 200, "n2 to be ready again");
      const fresh = await reopen(n2, "after-pause", 5000);
      await waitFor(() => ranOn(c, "after-pause") === "n2", "a new room to run on n2");
      await fresh.close();
    });
  });
}
