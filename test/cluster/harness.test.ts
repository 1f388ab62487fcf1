// The cluster tests' harness itself: Redis restarted, paused and cut off; haproxy's room hashing.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { connectRedis, type RedisLink } from "../../src/cluster/redis.ts";
import { alive, waitFor } from "../e2e/harness.ts";
import { type RedisServer, startRedis } from "./redis.ts";
import { startTcpRelay } from "./tcp-relay.ts";
import { deriveConfig, type Haproxy, SHIPPED_CONFIG, startHaproxy } from "./haproxy.ts";

describe("redis-server harness", () => {
  let redis: RedisServer;
  let link: RedisLink;
  before(async () => {
    redis = await startRedis();
    link = await connectRedis(redis.url, { commandTimeoutMs: 300 });
    await link.waitUp(5000);
  });
  after(async () => {
    await link?.close();
    await redis?.stop();
  });

  test("a restarted Redis has lost every key", async () => {
    await link.client.set("k", "v");
    await redis.restartEmpty();
    await waitFor(
      async () => link.up && await link.client.ping().then(() => true, () => false),
      "reconnect",
    );
    assert.equal(await link.client.get("k"), null, "the key should be gone with the old process");
  });

  test("a paused Redis answers nothing until resumed, and the link says so once", async () => {
    const changes: string[] = [];
    const watching = await connectRedis(redis.url, { commandTimeoutMs: 200, pingMs: 100 });
    try {
      await watching.waitUp(5000);
      watching.onChange((up, detail) => changes.push(`${up} ${detail}`));
      redis.pause();
      await assert.rejects(link.client.ping(), /timed out/i, "a stopped Redis cannot answer");
      await waitFor(() => !watching.up, "the link to notice Redis stopped answering");
      redis.resume();
      assert.equal(await link.client.ping(), "PONG");
      await waitFor(() => watching.up, "the link to notice Redis answers again");
      assert.deepEqual(changes, ["false not answering: Command timed out", "true answering again"]);
    } finally {
      redis.resume();
      await watching.close();
    }
  });

  test("stop leaves no redis-server process behind", async () => {
    const other = await startRedis();
    const pid = other.pid;
    await other.stop();
    assert.ok(!alive(pid), `redis-server ${pid} should be gone`);
  });

  test("a paused relay cuts one client off while others still reach Redis", async () => {
    const relay = await startTcpRelay(redis.port);
    const cut = await connectRedis(relay.url, { commandTimeoutMs: 300 });
    try {
      await cut.waitUp(5000);
      relay.pause();
      await assert.rejects(cut.client.ping(), /timed out/i, "the relayed client should time out");
      assert.equal(await link.client.ping(), "PONG", "the direct client is not affected");
      relay.resume();
      assert.equal(await cut.client.ping(), "PONG");
      const downs: boolean[] = [];
      cut.onChange((up) => downs.push(up));
      relay.cut();
      await waitFor(() => downs.length >= 2, "the relayed link to go down and come back");
      assert.deepEqual(downs.slice(0, 2), [false, true]);
    } finally {
      await cut.close();
      await relay.close();
    }
  });
});

describe("haproxy harness", () => {
  const servers: Server[] = [];
  let haproxy: Haproxy;
  const backend = async (name: string) => {
    const server = createServer((req, res) => res.end(req.url === "/ready" ? "ok" : name));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { name, port: (server.address() as { port: number }).port };
  };
  const via = async (path: string) =>
    await (await fetch(`http://127.0.0.1:${haproxy.port}${path}`)).text();

  before(async () => {
    const nodes = [await backend("n1"), await backend("n2"), await backend("n3")];
    const extra = { ...(await backend("n4")), disabled: true };
    haproxy = await startHaproxy([...nodes, extra]);
  });
  after(async () => {
    await haproxy?.stop();
    for (const s of servers) s.close();
  });

  test("the derived config is the shipped file with only bind and servers replaced", () => {
    const shipped = readFileSync(SHIPPED_CONFIG, "utf8");
    const derived = deriveConfig(shipped, 1234, [{ name: "a", port: 5 }], "/tmp/x.sock");
    assert.match(derived, /balance uri depth 1 path-only/);
    assert.match(derived, /hash-type consistent/);
    assert.match(derived, /bind 127\.0\.0\.1:1234/);
    assert.match(derived, /server a 127\.0\.0\.1:5\n/);
    assert.doesNotMatch(derived, /10\.0\.0\.7/, "the example servers should be gone");
  });

  test("a room's path, subpaths and queries all reach the same node", async () => {
    for (const room of ["lobby", "game-7", "x"]) {
      const first = await via(`/${room}`);
      for (const path of [`/${room}/deeper`, `/${room}?name=a`, `/${room}`]) {
        assert.equal(await via(path), first, `${path} should land where /${room} does`);
      }
    }
  });

  test("rooms spread over every node in rotation, and a node enabled later only takes rooms", async (t) => {
    const rooms = Array.from({ length: 60 }, (_, i) => `room${i}`);
    const before = new Map<string, string>();
    for (const room of rooms) before.set(room, await via(`/${room}`));
    const used = new Set(before.values());
    assert.deepEqual([...used].sort(), ["n1", "n2", "n3"], "60 rooms should use all three nodes");
    await haproxy.admin("enable server scalesocket/n4");
    await waitFor(
      async () => (await haproxy.admin("show servers state scalesocket")).includes(" n4 "),
      "n4 listed",
    );
    let moved = 0;
    for (const room of rooms) {
      const now = await via(`/${room}`);
      if (now === before.get(room)) continue;
      moved++;
      assert.equal(now, "n4", `room ${room} moved from ${before.get(room)} to ${now}, not to n4`);
    }
    assert.ok(moved > 0 && moved < 30, `about a quarter of the rooms should move, ${moved} did`);
    t.diagnostic(`${moved} of 60 rooms moved to n4`);
  });
});
