// The Redis lease store against a real redis-server: races, epochs, data loss, quiet period.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { performance } from "node:perf_hooks";
import { connectRedis, type RedisLink } from "../../src/cluster/redis.ts";
import {
  type Lease,
  type LeaseStore,
  type RedisLeaseOptions,
  redisLeaseStore,
} from "../../src/cluster/lease.ts";
import { waitFor } from "../e2e/harness.ts";
import { type RedisServer, startRedis } from "./redis.ts";

let redis: RedisServer;
const links: RedisLink[] = [];
let prefixes = 0;

/** A store on its own connection; quietMs 0 unless given, so most tests skip the quiet period. */
async function store(node: string, opts: Partial<RedisLeaseOptions> = {}): Promise<LeaseStore> {
  const link = await connectRedis(redis.url, { commandTimeoutMs: 500 });
  links.push(link);
  await link.waitUp(5000);
  return redisLeaseStore(link.client, {
    nodeId: node,
    advertise: `${node}.local:9000`,
    leaseMs: 5000,
    quietMs: 0,
    ...opts,
  });
}

const won = (r: Awaited<ReturnType<LeaseStore["claim"]>>): Lease => {
  assert.equal(r.kind, "won", `the claim should win, got ${JSON.stringify(r)}`);
  return (r as { lease: Lease }).lease;
};

before(async () => redis = await startRedis());
after(async () => {
  for (const link of links) await link.close();
  await redis?.stop();
});

describe("lease store on Redis", () => {
  test("a claim wins, a rival sees the holder, and only the holder renews or releases", async () => {
    const prefix = `t${prefixes++}:`;
    const a = await store("a", { prefix });
    const b = await store("b", { prefix });
    const lease = won(await a.claim("lobby"));
    assert.equal(lease.node, "a");
    assert.equal(lease.advertise, "a.local:9000");
    assert.deepEqual(await b.claim("lobby"), { kind: "held", lease });
    assert.deepEqual(await b.owner("lobby"), lease);
    const forged = { ...lease, value: `${lease.epoch}|b|b.local:9000` };
    assert.equal(await b.renew("lobby", forged), false, "a rival's renewal must not count");
    assert.equal(await b.release("lobby", forged), false, "a rival must not release it");
    assert.equal(await a.renew("lobby", lease), true);
    assert.equal(await a.release("lobby", lease), true);
    assert.equal(await a.owner("lobby"), null);
    assert.equal(await a.renew("lobby", lease), false, "a released lease cannot be renewed");
  });

  test("a lease nobody renews expires after its length, and a renewal restarts it", async () => {
    const a = await store("a", { prefix: `t${prefixes++}:`, leaseMs: 400 });
    const lease = won(await a.claim("r"));
    const renewedAt = performance.now();
    assert.equal(await a.renew("r", lease), true);
    await waitFor(async () => await a.owner("r") === null, "the lease to expire", 3000);
    const lived = performance.now() - renewedAt;
    assert.ok(lived >= 390, `the renewed lease should live about 400 ms, it lived ${lived}`);
  });

  test("three nodes claiming the same rooms at once: exactly one wins each room", async () => {
    const prefix = `t${prefixes++}:`;
    const nodes = [
      await store("a", { prefix }),
      await store("b", { prefix }),
      await store("c", { prefix }),
    ];
    for (let i = 0; i < 20; i++) {
      const room = `race-${i}`;
      const results = await Promise.all(nodes.map((n) => n.claim(room)));
      const winners = results.filter((r) => r.kind === "won");
      assert.equal(winners.length, 1, `room ${room}: ${JSON.stringify(results)}`);
      const lease = (winners[0] as { lease: Lease }).lease;
      for (const r of results) {
        assert.deepEqual(
          (r as { lease: Lease }).lease,
          lease,
          `every claimer should learn the winner of ${room}`,
        );
      }
    }
  });

  test("epochs of one room strictly increase across claims, even within one millisecond", async () => {
    const a = await store("a", { prefix: `t${prefixes++}:` });
    let last = 0;
    for (let i = 0; i < 50; i++) {
      const lease = won(await a.claim("e"));
      assert.ok(lease.epoch > last, `epoch ${lease.epoch} after ${last}`);
      last = lease.epoch;
      assert.equal(await a.release("e", lease), true);
    }
  });

  test("room names with braces, slashes and spaces stay apart under their own keys", async () => {
    const a = await store("a", { prefix: `t${prefixes++}:` });
    const names = ["a b", "a/b", "{a}", "a}:lease", "ä"];
    const leases = [];
    for (const name of names) leases.push(won(await a.claim(name)));
    for (const [i, name] of names.entries()) assert.deepEqual(await a.owner(name), leases[i]);
  });

  test("prefixes keep two clusters on one Redis apart", async () => {
    const one = await store("a", { prefix: "one:" });
    const two = await store("b", { prefix: "two:" });
    won(await one.claim("shared"));
    won(await two.claim("shared"));
  });

  test("a store that cannot reach Redis rejects instead of guessing", async () => {
    const a = await store("a", { prefix: `t${prefixes++}:` });
    const lease = won(await a.claim("p"));
    redis.pause();
    try {
      await assert.rejects(a.renew("p", lease), /timed out/i);
    } finally {
      redis.resume();
    }
  });
});

describe("lease store when Redis loses its data", () => {
  test("renewals fail, no claim succeeds for the quiet period, then epochs keep rising", async () => {
    const quietMs = 1500;
    const a = await store("a", { prefix: "loss:", quietMs });
    const b = await store("b", { prefix: "loss:", quietMs });
    // A fresh Redis looks exactly like one that lost its data: the first claim waits too.
    const first = await a.claim("room");
    assert.equal(first.kind, "quiet", `a fresh dataset should be quiet, got ${first.kind}`);
    await waitFor(
      async () => (await a.claim("room")).kind === "won",
      "the first quiet period to end",
      5000,
    );
    const before = (await a.owner("room"))!;
    await redis.restartEmpty();
    await waitFor(
      async () => await b.owner("room").then(() => true, () => false),
      "b to reconnect",
    );
    await waitFor(
      async () => await a.owner("room").then(() => true, () => false),
      "a to reconnect",
    );
    assert.equal(await a.renew("room", before), false, "the lease was lost with the data");
    const sent = performance.now();
    const refused = await b.claim("room");
    assert.equal(
      refused.kind,
      "quiet",
      `claims right after the loss should be refused, got ${refused.kind}`,
    );
    assert.ok((refused as { retryMs: number }).retryMs <= quietMs);
    let after: Lease | null = null;
    await waitFor(
      async () => {
        const r = await b.claim("room");
        if (r.kind === "won") after = r.lease;
        return after !== null;
      },
      "the quiet period after the loss to end",
      5000,
    );
    const waited = performance.now() - sent;
    assert.ok(waited >= quietMs, `claims were refused for ${waited} ms, less than ${quietMs}`);
    assert.ok(after!.epoch > before.epoch, `epoch ${after!.epoch} is not above ${before.epoch}`);
  });
});
