// Unit tests for --tcp ports: lowest free first, ports in use skipped, returned on end.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PortPool } from "../../src/room/ports.ts";
import { LocalRegistry } from "../../src/room/registry.ts";
import type { Room } from "../../src/room/room.ts";
import { NO_STATS } from "../../src/room/stats.ts";
import { refused } from "../../src/room/door.ts";
import { router } from "../../src/server/target.ts";
import { FakeMember, FakeRuntime, makeConfig, makeLog } from "./fakes.ts";

/** A probe that says the ports in `busy` are in use, and counts the probes. */
function probe(busy: Set<number>) {
  const probed: number[] = [];
  const free = (port: number) => {
    probed.push(port);
    return Promise.resolve(!busy.has(port));
  };
  return { free, probed };
}

test("a pool gives the lowest free port, skipping held ports and ports in use", async () => {
  const { free, probed } = probe(new Set([9001, 9003]));
  const pool = new PortPool({ start: 9001, end: 9010 }, free);
  assert.equal(await pool.take(), 9002);
  assert.equal(await pool.take(), 9004);
  assert.deepEqual(probed, [9001, 9002, 9001, 9003, 9004], "held ports are not probed again");
});

test("a released port is the next one taken, and an exhausted pool gives null", async () => {
  const pool = new PortPool({ start: 7000, end: 7001 }, probe(new Set()).free);
  assert.equal(await pool.take(), 7000);
  assert.equal(await pool.take(), 7001);
  assert.equal(await pool.take(), null);
  pool.release(7000);
  assert.equal(await pool.take(), 7000);
});

test("ports taken at the same moment are all different", async () => {
  const pool = new PortPool({ start: 1, end: 3 }, probe(new Set([2])).free);
  const ports = await Promise.all([pool.take(), pool.take(), pool.take()]);
  assert.deepEqual(new Set(ports), new Set([1, 3, null]), "2 is in use: one take gets none");
});

test("a probe that fails counts as a port in use", async () => {
  const pool = new PortPool(
    { start: 1, end: 2 },
    (port) => port === 1 ? Promise.reject(new Error("EPERM")) : Promise.resolve(true),
  );
  assert.equal(await pool.take(), 2);
});

function setup(start: number, end: number, busy = new Set<number>()) {
  const runtime = new FakeRuntime();
  runtime.portFree = probe(busy).free;
  // The fake children never listen: the rooms stay attached to nothing, which is all we need.
  runtime.connectTcp = () => Promise.reject(new Error("connection refused"));
  const config = makeConfig({ tcp: { start, end } });
  const registry = new LocalRegistry(config, runtime, makeLog().log, NO_STATS, {
    route: router(config, runtime),
  });
  return { runtime, registry, config };
}

/** Opens a room, has a member join it, and returns the PORT its child was given. */
async function start(registry: LocalRegistry, runtime: FakeRuntime, name: string) {
  const room = registry.open(name) as Room;
  const member = new FakeMember(runtime.spawns.length + 1);
  room.join(member, () => ({ ROOM: name }));
  const child = await runtime.child(runtime.children.length);
  return { room, member, child, port: runtime.spawns.at(-1)!.env.PORT };
}

test("each room's child gets the lowest free port as PORT", async () => {
  const { registry, runtime } = setup(9001, 9999, new Set([9001]));
  const a = await start(registry, runtime, "a");
  const b = await start(registry, runtime, "b");
  assert.deepEqual([a.port, b.port], ["9002", "9003"]);
  assert.equal(await a.room.port, 9002);
  await registry.closeAll(1001, "");
});

test("a room's port is free again once its child is gone, not before", async () => {
  const { registry, runtime } = setup(9001, 9999);
  const a = await start(registry, runtime, "a");
  a.child.exitOnStdinClose = false;
  a.room.leave(a.member);
  const b = await start(registry, runtime, "b");
  assert.equal(b.port, "9002", "the stopping room still holds 9001");
  await a.room.done;
  const c = await start(registry, runtime, "c");
  assert.equal(c.port, "9001");
  await registry.closeAll(1001, "");
});

/** Asks the door to admit a websocket request for this path. */
function admit(registry: LocalRegistry, path: string) {
  return registry.admit({
    url: `http://localhost${path}`,
    method: "GET",
    headers: [],
    peer: { address: "127.0.0.1", port: 1 },
    tls: false,
  });
}

test("with every port held, a new room is refused with 503 before the upgrade", async () => {
  const { registry, runtime } = setup(9001, 9001);
  const a = await start(registry, runtime, "a");
  const refusal = await admit(registry, "/b");
  assert.deepEqual(refusal, {
    status: 503,
    reason: "no_free_port",
    text: "No free port for --tcp",
  });
  assert.equal(registry.live, 1, "the refused room ended at once");
  assert.equal(await registry.find("b"), null);
  const same = await admit(registry, "/a");
  assert.ok(!refused(same) && same.place === a.room, "the live room is still joinable");
  same.cancel();
  a.room.leave(a.member);
  await a.room.done;
  const b = await admit(registry, "/b");
  assert.ok(!refused(b), "the port came back with the room's end");
  assert.equal(await b.place.port, 9001);
  b.cancel();
  await registry.closeAll(1001, "");
});

test("a client that joined while no port was found is closed with 1011", async () => {
  const { registry, runtime } = setup(9001, 9001, new Set([9001]));
  const room = registry.open("a") as Room;
  const m = new FakeMember(1);
  room.join(m, () => ({ ROOM: "a" }));
  await room.done;
  assert.deepEqual(m.closes, [[1011, "no free port"]]);
  assert.equal(runtime.spawns.length, 0, "nothing was spawned");
  assert.equal(registry.live, 0);
});
