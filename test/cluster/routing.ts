// Where rooms land: through haproxy every client of a room reaches its owner; a new room opened
// on three nodes at once gets one process; a crowd spread over the nodes sees one order.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { type Launcher, waitFor } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { runs } from "./epochs.ts";
import { clusterHooks, type TestCluster } from "./nodes.ts";

/** How many clients a node relayed, from its debug log. */
const relayed = (c: TestCluster) =>
  c.nodes.map((n) => n.server.stderr().match(/relaying to the room's owner/g)?.length ?? 0);

/** A client that keeps every text message it gets. */
async function collector(url: string): Promise<{ ws: WebSocket; got: string[] }> {
  const ws = new WebSocket(url);
  const got: string[] = [];
  ws.on("message", (data) => got.push(String(data)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, got };
}

export function routingTests(l: Launcher): void {
  describe("routing and the race for a new room", () => {
    let c: TestCluster;
    // A long lease: nothing here fails over, and a busy machine must not stop a room.
    clusterHooks({
      launcher: l,
      lease: 5,
      flags: ["-v", "--api", "--json"],
      haproxy: true,
    }, (started) => c = started);

    it("runs each room once, on the node haproxy sends its clients to, relaying none", async () => {
      const rooms = Array.from({ length: 6 }, (_, i) => `routed-${i}`);
      const before = relayed(c).reduce((a, b) => a + b, 0);
      const clients: Client[] = [];
      for (const room of rooms) {
        for (const q of ["", "?x=1", "?y=2"]) {
          clients.push(await Client.open(`ws://127.0.0.1:${c.haproxy!.port}/${room}${q}`));
        }
      }
      const owners = await Promise.all(rooms.map((r) => c.owner(r)));
      for (const [i, room] of rooms.entries()) {
        assert.ok(owners[i], `room ${room} should have an owner`);
        await waitFor(() => runs(c.dir, room).length === 1, `room ${room}'s child to run`);
      }
      assert.ok(new Set(owners).size >= 2, `6 rooms should spread over nodes: ${owners}`);
      const after = relayed(c).reduce((a, b) => a + b, 0);
      assert.equal(after - before, 0, "no client of a room should have been relayed");
      for (const room of rooms) {
        assert.equal(runs(c.dir, room).length, 1, `room ${room} should have had one child`);
      }
      await Promise.all(clients.map((x) => x.close()));
    });

    it("starts one child for a new room opened on all three nodes at once, relaying the others", async () => {
      for (const room of ["race-a", "race-b", "race-c"]) {
        const before = relayed(c).reduce((a, b) => a + b, 0);
        const clients = await Promise.all(c.nodes.map((n) => Client.open(n.ws(`/${room}`))));
        const owner = await c.owner(room);
        await waitFor(() => runs(c.dir, room).length > 0, `room ${room}'s child to run`);
        const list = runs(c.dir, room);
        assert.equal(list.length, 1, `room ${room}: one child, got ${JSON.stringify(list)}`);
        assert.equal(list[0].node, owner, `room ${room}'s child should run on its owner`);
        const now = relayed(c).reduce((a, b) => a + b, 0);
        assert.equal(now - before, 2, `room ${room}: the two clients off its owner are relayed`);
        clients[0].send(`{"hello":"${room}"}`);
        for (const [i, x] of clients.entries()) {
          // The others' joins (--json tells the child of each) may come first.
          let line = "";
          while (!line.includes("hello")) line = await x.text(`the hello, on n${i + 1}'s client`);
        }
        await Promise.all(clients.map((x) => x.close()));
      }
    });

    it("shows a hundred clients spread over three nodes one broadcast in one order", async () => {
      const room = "crowd";
      const crowd: { ws: WebSocket; got: string[] }[] = [];
      for (let i = 0; i < 100; i += 10) {
        crowd.push(
          ...await Promise.all(
            Array.from({ length: 10 }, (_, j) => collector(c.nodes[(i + j) % 3].ws(`/${room}`))),
          ),
        );
      }
      assert.equal(runs(c.dir, room).length, 1, "the crowd's room should have one child");
      for (let n = 0; n < 6; n++) crowd[n * 17].ws.send(JSON.stringify({ seq: n }));
      const seqs = (got: string[]) => got.filter((m) => m.includes('"seq"'));
      await waitFor(
        () => crowd.every((x) => seqs(x.got).length === 6),
        "every client to get the six broadcasts",
        20_000,
      );
      const order = seqs(crowd[0].got);
      for (const [i, x] of crowd.entries()) {
        assert.deepEqual(seqs(x.got), order, `client ${i} (on n${(i % 3) + 1}) saw another order`);
      }
      for (const x of crowd) x.ws.close();
    });
  });
}
