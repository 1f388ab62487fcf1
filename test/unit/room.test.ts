// Unit tests for one room's traffic: spawning, output to members, input to the child, limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeMember, roomEnv as env, setupRoom as setup, timerOf, waitFor } from "./fakes.ts";

test("the first join spawns once, with the environment the joiner brings", async () => {
  const { room, runtime, a, b } = setup();
  let asked = 0;
  room.join(a, () => {
    asked++;
    return { ROOM: "lobby", REMOTE_ADDR: "10.0.0.1" };
  });
  room.join(b, () => assert.fail("the second joiner's environment is not needed"));
  await runtime.child();
  assert.equal(asked, 1);
  assert.deepEqual(runtime.spawns, [{
    cmd: "./bot.sh",
    args: ["--level", "3"],
    env: { ROOM: "lobby", REMOTE_ADDR: "10.0.0.1" },
  }]);
  assert.equal(room.state, "running");
  assert.equal(room.pid, 1000);
});

test("with its environment ready, a room asks for its spawn in the first join's own turn", () => {
  const { room, runtime, a } = setup();
  room.join(a, () => ({ ROOM: "lobby" }));
  // No await before this: under a burst, a turn given up here waits behind every handshake.
  assert.equal(runtime.spawns.length, 1);
});

test("an environment still being made (a reverse lookup) is waited for", async () => {
  const { room, runtime, a } = setup();
  let made!: (env: Record<string, string>) => void;
  room.join(a, () => new Promise((resolve) => made = resolve));
  await Promise.resolve();
  assert.equal(runtime.spawns.length, 0);
  made({ REMOTE_HOST: "client.example" });
  await runtime.child();
  assert.deepEqual(runtime.spawns[0].env, { REMOTE_HOST: "client.example" });
});

test("every member receives the output lines in order", async () => {
  const { room, runtime, a, b } = setup();
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  child.print("one\ntw");
  child.print("o\r\n\nthree\n");
  child.print("four\n");
  const expected = ["one", "two", "", "three", "four"];
  assert.deepEqual(a.sent, expected);
  assert.deepEqual(b.sent, expected);
});

test("input from a member reaches the child with a newline appended", async () => {
  const { room, runtime, a, b } = setup();
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  room.input(a, "hello");
  room.input(b, "world");
  room.input(a, "");
  assert.deepEqual(child.writes, ["hello\n", "world\n", "\n"]);
});

test("input from someone who is not a member is ignored", async () => {
  const { room, runtime, a } = setup();
  room.join(a, env());
  const child = await runtime.child();
  room.input(new FakeMember(9), "sneaky");
  assert.deepEqual(child.writes, []);
});

test("a member over --maxbuffer is closed as too slow, the others go on", async () => {
  const { room, runtime, a, b, lines } = setup({ maxBuffer: 1024 });
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  child.print("first\n");
  a.backlogBytes = 1025;
  child.print("second\n");
  child.print("third\n");
  assert.deepEqual(a.closes, [[1008, "client too slow"]]);
  assert.deepEqual(a.sent, ["first", "second"]);
  assert.deepEqual(b.sent, ["first", "second", "third"]);
  assert.deepEqual(b.closes, []);
  assert.equal(room.members.has(a.id), false);
  assert.ok(lines.some((l) => l.includes("client too slow")), "the kick is logged");
  // The child is not stopped for it.
  assert.equal(child.stdinClosed, false);
});

test("a backlog of exactly --maxbuffer is still fine", async () => {
  const { room, runtime, a } = setup({ maxBuffer: 1024 });
  room.join(a, env());
  const child = await runtime.child();
  a.backlogBytes = 1024;
  child.print("x\n");
  assert.deepEqual(a.closes, []);
});

test("input sent before the child has started is written once it has", async () => {
  const { room, runtime, a } = setup();
  room.join(a, env());
  room.input(a, "first");
  room.input(a, "second");
  const child = await runtime.child();
  assert.deepEqual(child.writes, ["first\n", "second\n"]);
});

test("input sent during --delay is written after it, in order", async () => {
  const { room, runtime, a } = setup({ delay: 0.05 });
  // Set as the child is spawned, before the room sets its --delay timer of the same length.
  let delayNotOver = Promise.resolve();
  runtime.setup = () => delayNotOver = timerOf(50);
  room.join(a, env());
  room.input(a, "early");
  const child = await runtime.child();
  room.input(a, "during");
  assert.deepEqual(child.writes, []);
  await delayNotOver;
  assert.deepEqual(child.writes, [], "nothing is written before --delay has run out");
  await waitFor(() => child.writes.length === 2, "the queued input to be written");
  assert.deepEqual(child.writes, ["early\n", "during\n"]);
  room.input(a, "after");
  assert.deepEqual(child.writes, ["early\n", "during\n", "after\n"]);
});

test("a child that does not read makes the sender close with 1008", async () => {
  const { room, runtime, a, b } = setup({ maxBuffer: 100 });
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  child.pendingInput = 101;
  room.input(a, "more");
  assert.deepEqual(a.closes, [[1008, "input buffer full"]]);
  assert.deepEqual(b.closes, []);
  child.print("out\n");
  assert.deepEqual(a.sent, []);
  assert.deepEqual(b.sent, ["out"]);
});

test("input queued during --delay is bounded by --maxbuffer too", async () => {
  const { room, runtime, a, b } = setup({ maxBuffer: 10, delay: 0.05 });
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  room.input(a, "1234");
  room.input(b, "1234");
  assert.deepEqual(a.closes, [], "10 bytes queued: at the limit, not over it");
  room.input(a, "x");
  assert.deepEqual(a.closes, [[1008, "input buffer full"]]);
  assert.deepEqual(b.closes, []);
  assert.equal(room.members.has(a.id), false);
  // Let the delay run out so no timer outlives the test.
  await waitFor(() => child.writes.length > 0, "the queued input to be written");
  child.exit({ code: 0, signal: null });
  await room.done;
});
