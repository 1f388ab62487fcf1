// Redis trouble: one node cut off, Redis stopped for everyone, Redis restarted empty. Rooms that
// cannot keep their lease stop before it can lapse; they start again once it is safe.
import { describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { type Launcher, waitFor } from "../e2e/harness.ts";
import type { Client } from "../e2e/client.ts";
import { monotonicMs } from "./epochs.ts";
import { clusterHooks, readyStatus, type TestCluster, type TestNode } from "./nodes.ts";
import { allDead, latest, openRooms, ranOn, reopen } from "./rooms.ts";

/** Slack for a loaded two-core machine on top of what the lease timing promises. */
const SLACK_MS = 1500;

/**
 * Every client closed with 1012 (Service Restart), in time. The watchdog signals the child at
 * the same soft deadline as the server's own timer closes the clients; when the server's event
 * loop runs late, the child's death is seen first and its clients get 1011 "killed by SIGTERM".
 * That is accepted here (the room did stop in time); the test reports how often it happened.
 */
async function restarted(
  t: TestContext,
  c: TestCluster,
  clients: Client[],
  ms: number,
): Promise<void> {
  const late: string[] = [];
  for (const x of clients) {
    const closed = await x.closedWithin(ms);
    const why = `a client of a stopped room got ${closed.code} ${closed.reason}:\n${c.logs()}`;
    if (closed.code === 1011 && closed.reason === "killed by SIGTERM") late.push(x.url);
    else assert.equal(closed.code, 1012, why);
  }
  if (late.length > 0) t.diagnostic(`1011 before the server's own 1012 on ${late.join(" ")}`);
}

const allReady = (nodes: TestNode[], status: number, what: string) =>
  waitFor(async () => {
    for (const n of nodes) if (await readyStatus(n) !== status) return false;
    return true;
  }, what);

export function storeLossTests(l: Launcher): void {
  describe("Redis lost by one node, by all, or restarted empty", () => {
    let c: TestCluster;
    clusterHooks({ launcher: l, lease: 2 }, (started) => c = started);

    it("stops a cut-off node's rooms before their lease lapses and runs them elsewhere after it", async (t) => {
      const [n1, n2] = c.nodes;
      const rooms = ["cut-a", "cut-b"];
      const clients = await openRooms(c, n1, rooms);
      const pids = rooms.map((r) => latest(c, r).pid);
      const cutAt = monotonicMs();
      n1.relay.pause();
      try {
        await restarted(t, c, clients, c.leaseMs + SLACK_MS);
        await allDead(pids, "the cut-off node's children", c.leaseMs + SLACK_MS);
        for (const room of rooms) {
          const last = latest(c, room).last - cutAt;
          assert.ok(last <= 0.8 * c.leaseMs + 250, `${room} ran ${last} ms after the cut`);
          const back = await reopen(n2, room, 2 * c.leaseMs + SLACK_MS);
          await waitFor(() => ranOn(c, room) === "n2", `room ${room} to run on n2`);
          t.diagnostic(`${room} back on n2 ${(monotonicMs() - cutAt).toFixed(0)} ms after the cut`);
          await back.close();
        }
        await waitFor(
          async () => await readyStatus(n1) === 503,
          "the cut-off n1's /ready to be 503",
        );
      } finally {
        n1.relay.resume();
      }
      await waitFor(async () => await readyStatus(n1) === 200, "n1 to be ready again");
      const fresh = await reopen(n1, "after-cut", 5000);
      await waitFor(() => ranOn(c, "after-cut") === "n1", "a new room to run on n1");
      await fresh.close();
    });

    it("stops every room at its soft deadline while Redis answers no one, and serves again after", async (t) => {
      const rooms = ["gone-1", "gone-2", "gone-3"];
      const clients: Client[] = [];
      for (const [i, room] of rooms.entries()) {
        clients.push(...await openRooms(c, c.nodes[i], [room]));
      }
      const pids = rooms.map((r) => latest(c, r).pid);
      c.redis.pause();
      try {
        await restarted(t, c, clients, c.leaseMs + SLACK_MS);
        await allDead(pids, "every room's child", c.leaseMs + SLACK_MS);
        await allReady(c.nodes, 503, "every node's /ready to be 503 while Redis is stopped");
      } finally {
        c.redis.resume();
      }
      await allReady(c.nodes, 200, "every node to be ready once Redis answers");
      for (const [i, room] of rooms.entries()) {
        const back = await reopen(c.nodes[(i + 1) % 3], room, c.leaseMs + SLACK_MS);
        await waitFor(() => latest(c, room).pid !== pids[i], `room ${room} to run again`);
        await back.close();
      }
    });

    it("stops every room when Redis comes back empty, and starts none before the quiet period", async (t) => {
      const rooms = ["empty-1", "empty-2"];
      const clients = [
        ...await openRooms(c, c.nodes[0], [rooms[0]]),
        ...await openRooms(c, c.nodes[1], [rooms[1]]),
      ];
      const pids = rooms.map((r) => latest(c, r).pid);
      await c.redis.restartEmpty();
      await restarted(t, c, clients, c.leaseMs + SLACK_MS);
      await allDead(pids, "every room's child", c.leaseMs + SLACK_MS);
      const refusals: string[] = [];
      for (const room of rooms) {
        const back = await reopen(c.nodes[2], room, 2 * c.leaseMs + SLACK_MS, refusals);
        await waitFor(() => ranOn(c, room) === "n3", `room ${room} to run on n3`);
        await back.close();
      }
      t.diagnostic(`refused meanwhile: ${[...new Set(refusals)].join("; ")}`);
    });
  });
}
