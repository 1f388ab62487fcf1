// The cluster lobby on a real Redis: entries expire unless refreshed, only the lease holder writes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { connectRedis, type RedisLink } from "../../src/cluster/redis.ts";
import { type Lease, redisLeaseStore } from "../../src/cluster/lease.ts";
import { redisLobby, type RoomEntry } from "../../src/cluster/lobby.ts";
import { waitFor } from "../e2e/harness.ts";
import { type RedisServer, startRedis } from "./redis.ts";

let redis: RedisServer;
let link: RedisLink;
before(async () => {
  redis = await startRedis();
  link = await connectRedis(redis.url);
  await link.waitUp(5000);
});
after(async () => {
  await link?.close();
  await redis?.stop();
});

async function claim(prefix: string, room: string, node = "a"): Promise<Lease> {
  const store = redisLeaseStore(link.client, {
    nodeId: node,
    advertise: `${node}:9000`,
    leaseMs: 10_000,
    quietMs: 0,
    prefix,
  });
  const result = await store.claim(room);
  assert.equal(result.kind, "won");
  return (result as { lease: Lease }).lease;
}

const entry = (room: string, lease: Lease, clients = 1): RoomEntry => ({
  room,
  node: lease.node,
  epoch: lease.epoch,
  clients,
  started: 1_796_000_000_000,
  metadata: null,
});

test("the lease holder's rooms are listed with their owner until removed", async () => {
  const lobby = redisLobby(link.client, "l1:");
  const lease = await claim("l1:", "lobby");
  assert.equal(await lobby.publishRoom(entry("lobby", lease, 3), lease.value, 10_000), true);
  assert.deepEqual(await lobby.rooms(), [entry("lobby", lease, 3)]);
  await lobby.removeRoom("lobby", lease.epoch);
  assert.deepEqual(await lobby.rooms(), []);
});

test("a node that no longer holds the lease cannot write the room's entry", async () => {
  const lobby = redisLobby(link.client, "l2:");
  const lease = await claim("l2:", "r");
  const stale = { ...lease, value: `1|a|a:9000` };
  assert.equal(await lobby.publishRoom(entry("r", stale), stale.value, 10_000), false);
  assert.deepEqual(await lobby.rooms(), []);
});

test("removing an older epoch's entry leaves the new owner's in place", async () => {
  const lobby = redisLobby(link.client, "l3:");
  const lease = await claim("l3:", "r");
  await lobby.publishRoom(entry("r", lease), lease.value, 10_000);
  await lobby.removeRoom("r", lease.epoch - 1);
  assert.equal((await lobby.rooms()).length, 1);
});

test("entries nobody refreshes drop out of the listing by themselves", async () => {
  const lobby = redisLobby(link.client, "l4:");
  const lease = await claim("l4:", "short");
  const kept = await claim("l4:", "kept");
  await lobby.publishRoom(entry("short", lease), lease.value, 300);
  await lobby.publishRoom(entry("kept", kept), kept.value, 60_000);
  await lobby.publishNode({
    id: "a",
    advertise: "a:9000",
    rooms: 2,
    connections: 5,
    draining: false,
  }, 300);
  await waitFor(async () => (await lobby.rooms()).length === 1, "the short entry to expire", 5000);
  assert.equal((await lobby.rooms())[0].room, "kept");
  await waitFor(async () => (await lobby.nodes()).length === 0, "the node entry to expire", 5000);
});

test("nodes are listed with their load and drain state", async () => {
  const lobby = redisLobby(link.client, "l5:");
  const node = { id: "b", advertise: "10.0.0.8:9000", rooms: 4, connections: 40, draining: true };
  await lobby.publishNode(node, 10_000);
  assert.deepEqual(await lobby.nodes(), [node]);
  await lobby.removeNode("b");
  assert.deepEqual(await lobby.nodes(), []);
});
