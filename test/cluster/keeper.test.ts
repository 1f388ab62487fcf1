// The lease keeper on a real Redis: a node cut off stops its room before anyone can claim it.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { connectRedis, type RedisLink } from "../../src/cluster/redis.ts";
import { type Lease, type LeaseStore, redisLeaseStore } from "../../src/cluster/lease.ts";
import { type KeeperEvents, LeaseKeeper } from "../../src/cluster/keeper.ts";
import { timing } from "../../src/cluster/deadlines.ts";
import { waitFor } from "../e2e/harness.ts";
import { type RedisServer, startRedis } from "./redis.ts";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.ts";

const TM = timing(1500); // renew every 500 ms, soft 900 ms and hard 1200 ms after the anchor
let redis: RedisServer;
let relay: TcpRelay;
const links: RedisLink[] = [];

async function store(url: string, node: string, leaseMs = TM.leaseMs): Promise<LeaseStore> {
  const link = await connectRedis(url, { commandTimeoutMs: 300 });
  links.push(link);
  await link.waitUp(5000);
  return redisLeaseStore(link.client, {
    nodeId: node,
    advertise: `${node}:9000`,
    leaseMs,
    quietMs: 0,
  });
}

/** Claims room and keeps it, recording when each event came (performance.now() ms). */
async function claimAndKeep(s: LeaseStore, room: string, tm = TM) {
  const seen: Record<string, number> = {};
  let anchors = 0;
  const events: KeeperEvents = {
    deadlines: () => anchors++,
    lost: () => seen.lost ??= performance.now(),
    soft: () => seen.soft ??= performance.now(),
    hard: () => seen.hard ??= performance.now(),
  };
  const sent = performance.now();
  const result = await s.claim(room);
  assert.equal(result.kind, "won", `the claim of ${room} should win`);
  const lease = (result as { lease: Lease }).lease;
  const keeper = new LeaseKeeper(s, room, lease, sent, tm, events);
  return { keeper, lease, seen, anchors: () => anchors };
}

before(async () => {
  redis = await startRedis();
  relay = await startTcpRelay(redis.port);
});
after(async () => {
  for (const link of links) await link.close();
  await relay?.close();
  await redis?.stop();
});

test("a node cut off from Redis kills its room before a rival can claim it", async () => {
  const a = await store(relay.url, "a");
  const b = await store(redis.url, "b");
  const { keeper, lease, seen, anchors } = await claimAndKeep(a, "cut");
  await waitFor(() => anchors() >= 4, "three renewals", 5000);
  assert.deepEqual(await b.owner("cut"), lease, "a still holds the room after three renewals");
  relay.pause();
  let wonAt = 0;
  await waitFor(
    async () => {
      const r = await b.claim("cut");
      if (r.kind === "won") wonAt = performance.now();
      return wonAt > 0;
    },
    "b to take the room over",
    5000,
  );
  assert.ok(seen.soft && seen.hard, `a should have passed both deadlines: ${JSON.stringify(seen)}`);
  assert.ok(seen.hard < wonAt, `a's hard deadline (${seen.hard}) came after b won (${wonAt})`);
  assert.equal(keeper.state, "expired");
  relay.resume();
  assert.equal(await keeper.release(), false, "a must not release the lease b now holds");
});

test("a keeper holds its room for many lease lengths while Redis answers", async () => {
  const a = await store(redis.url, "a");
  const b = await store(redis.url, "b");
  const { keeper, lease, seen, anchors } = await claimAndKeep(a, "steady");
  await waitFor(() => anchors() >= 10, "nine renewals (three lease lengths)", 10_000);
  assert.deepEqual(seen, {}, "no deadline should have passed");
  assert.deepEqual(await b.claim("steady"), { kind: "held", lease });
  assert.equal(await keeper.release(), true);
  assert.equal((await b.claim("steady")).kind, "won", "a released room is free at once");
});

test("a keeper whose lease vanished with Redis's data reports it lost", async () => {
  // A longer lease: the renewal must come after the reconnection, and before the soft deadline.
  const a = await store(redis.url, "a", 6000);
  const { keeper, seen } = await claimAndKeep(a, "wiped", timing(6000));
  await redis.restartEmpty();
  await waitFor(() => seen.lost !== undefined, "the next renewal to find the lease gone", 5000);
  assert.equal(keeper.state, "lost");
  keeper.stop();
});
