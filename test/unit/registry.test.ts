// Unit tests for the rooms registry: one room per name, --maxrooms, and rooms leaving it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Config } from "../../src/config.ts";
import { LocalRegistry } from "../../src/room/registry.ts";
import type { Room } from "../../src/room/room.ts";
import { NO_STATS } from "../../src/room/stats.ts";
import { FakeMember, FakeRuntime, makeConfig, makeLog, waitFor } from "./fakes.ts";

function setup(overrides: Partial<Config> = {}) {
  const runtime = new FakeRuntime();
  const ended: string[] = [];
  const registry = new LocalRegistry(
    makeConfig(overrides),
    runtime,
    makeLog().log,
    NO_STATS,
    { onEnded: (r) => ended.push(r.name) },
  );
  return { registry, runtime, ended };
}

function open(registry: LocalRegistry, name: string): Room {
  const room = registry.open(name);
  assert.ok(room, `room "${name}" opens`);
  return room;
}

const env = (room: string) => () => ({ ROOM: room });

test("open returns the same room for the same name", () => {
  const { registry } = setup();
  const lobby = open(registry, "lobby");
  assert.equal(registry.open("lobby"), lobby);
  assert.notEqual(registry.open("other"), lobby);
  assert.equal(lobby.name, "lobby");
  assert.equal(registry.live, 2);
});

test("the joinable rooms are listed sorted by name", async () => {
  const { registry } = setup();
  for (const name of ["b", "a", "é", "C", "aa"]) open(registry, name);
  assert.deepEqual(registry.joinable().map((r) => r.name), ["C", "a", "aa", "b", "é"]);
  assert.deepEqual(
    (await registry.list()).map((r) => r.name),
    ["C", "a", "aa", "b", "é"],
    "the door's snapshots come in the same order",
  );
});

test("--maxrooms refuses a new room when full, not an existing one", () => {
  const { registry } = setup({ maxRooms: 2 });
  const a = open(registry, "a");
  open(registry, "b");
  assert.equal(registry.open("c"), null);
  assert.equal(registry.open("a"), a);
});

test("a --maxrooms slot frees once the room has ended, not before", async () => {
  const { registry, runtime, ended } = setup({ maxRooms: 1 });
  const a = open(registry, "a");
  const m = new FakeMember(1);
  a.join(m, env("a"));
  const child = await runtime.child();
  // A child that ignores stdin closing keeps its room live until SIGINT, 100 ms later.
  child.exitOnStdinClose = false;
  a.leave(m);
  assert.deepEqual(registry.joinable(), [], "a stopping room is not joinable");
  assert.equal(registry.live, 1);
  assert.equal(registry.open("b"), null, "its child still counts");
  assert.equal(registry.open("a"), null, "the same name too");
  await a.done;
  assert.deepEqual(ended, ["a"]);
  assert.equal(registry.live, 0);
  open(registry, "b");
});

test("a room whose child exits on its own frees its slot", async () => {
  const { registry, runtime } = setup({ maxRooms: 1 });
  const a = open(registry, "a");
  const m = new FakeMember(1);
  a.join(m, env("a"));
  (await runtime.child()).exit({ code: 0, signal: null });
  await a.done;
  assert.deepEqual(m.closes, [[1000, ""]]);
  const again = open(registry, "a");
  assert.notEqual(again, a, "the next connection gets a fresh room");
});

test("the last member leaving stops the child and the room leaves the registry", async () => {
  const { registry, runtime, ended } = setup();
  const lobby = open(registry, "lobby");
  const [m1, m2] = [new FakeMember(1), new FakeMember(2)];
  lobby.join(m1, env("lobby"));
  lobby.join(m2, env("lobby"));
  const child = await runtime.child();
  lobby.leave(m1);
  assert.deepEqual(registry.joinable(), [lobby]);
  lobby.leave(m2);
  await waitFor(() => child.stdinClosed, "stdin to be closed");
  assert.deepEqual(registry.joinable(), []);
  const fresh = open(registry, "lobby");
  assert.notEqual(fresh, lobby);
  await lobby.done;
  assert.deepEqual(ended, ["lobby"]);
  assert.equal(registry.live, 1, "only the fresh room is live");
});

test("a lingering room stays in the registry and is rejoined", async () => {
  const { registry, runtime } = setup({ linger: 0.05 });
  const lobby = open(registry, "lobby");
  const m1 = new FakeMember(1);
  lobby.join(m1, env("lobby"));
  const child = await runtime.child();
  lobby.leave(m1);
  assert.equal(registry.open("lobby"), lobby);
  const m2 = new FakeMember(2);
  lobby.join(m2, env("lobby"));
  child.print("hi\n");
  assert.deepEqual(m2.sent, ["hi"]);
  assert.equal(runtime.spawns.length, 1);
  lobby.leave(m2);
  await waitFor(() => child.stdinClosed, "the lingering room to stop");
  await lobby.done;
  assert.deepEqual(registry.joinable(), []);
});

test("a room that fails to spawn leaves the registry", async () => {
  const { registry, runtime, ended } = setup({ maxRooms: 1 });
  runtime.failWith = new Error('Cannot spawn "./bot.sh": permission denied');
  const a = open(registry, "a");
  const m = new FakeMember(1);
  a.join(m, env("a"));
  await a.done;
  assert.deepEqual(m.closes, [[1011, 'Cannot spawn "./bot.sh": permission denied']]);
  assert.deepEqual(ended, ["a"]);
  assert.equal(registry.live, 0);
  assert.notEqual(open(registry, "a"), a);
});

test("closeAll closes every member with the code and waits for every child", async () => {
  const { registry, runtime } = setup();
  const [a, b] = [open(registry, "a"), open(registry, "b")];
  const [m1, m2] = [new FakeMember(1), new FakeMember(2)];
  a.join(m1, env("a"));
  b.join(m2, env("b"));
  const children = [await runtime.child(0), await runtime.child(1)];
  await registry.closeAll(1001, "server shutting down");
  assert.deepEqual(m1.closes, [[1001, "server shutting down"]]);
  assert.deepEqual(m2.closes, [[1001, "server shutting down"]]);
  assert.ok(children.every((c) => c.stdinClosed));
  assert.equal(registry.live, 0);
  assert.deepEqual(registry.joinable(), []);
});

test("killAll sends SIGKILL to every live child", async () => {
  const { registry, runtime } = setup();
  const a = open(registry, "a");
  a.join(new FakeMember(1), env("a"));
  const child = await runtime.child();
  registry.killAll();
  assert.deepEqual(child.signals, ["SIGKILL"]);
  await a.done;
  assert.equal(registry.live, 0);
});
