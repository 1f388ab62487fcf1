// Unit tests for how a room ends: child exit, spawn failure, last member leaving, --linger.
import { test } from "node:test";
import assert from "node:assert/strict";
import { roomEnv as env, setupRoom as setup, timerOf, waitFor } from "./fakes.ts";

test("a child exiting with code 0 closes members with 1000", async () => {
  const { room, runtime, a, b, hooks } = setup();
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  child.exit({ code: 0, signal: null });
  await room.done;
  assert.deepEqual(a.closes, [[1000, ""]]);
  assert.deepEqual(b.closes, [[1000, ""]]);
  assert.equal(room.state, "ended");
  assert.deepEqual(hooks, { detached: 1, ended: 1 });
});

test("a child exiting with code 3 closes members with 1011 and the code", async () => {
  const { room, runtime, a } = setup();
  room.join(a, env());
  (await runtime.child()).exit({ code: 3, signal: null });
  await room.done;
  assert.deepEqual(a.closes, [[1011, "process exited with code 3"]]);
});

test("a child killed by a signal closes members with 1011 naming it", async () => {
  const { room, runtime, a } = setup();
  room.join(a, env());
  (await runtime.child()).exit({ code: null, signal: "SIGTERM" });
  await room.done;
  assert.deepEqual(a.closes, [[1011, "killed by SIGTERM"]]);
});

test("all flushed output, the unterminated last line too, comes before the close", async () => {
  const { room, runtime, a, b } = setup();
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  child.print("line\nno newline");
  child.exit({ code: 3, signal: null });
  await room.done;
  const expected = [
    { send: "line" },
    { send: "no newline" },
    { close: [1011, "process exited with code 3"] },
  ];
  assert.deepEqual(a.events, expected);
  assert.deepEqual(b.events, expected);
});

test("output still arriving after the exit is delivered before the close", async () => {
  const { room, runtime, a } = setup();
  // A room whose child exits with its output ended at the same moment: once it has closed,
  // a room that did not wait for stdout would have closed too.
  const control = setup();
  room.join(a, env());
  control.room.join(control.a, env());
  const child = await runtime.child();
  const other = await control.runtime.child();
  child.exit({ code: 0, signal: null }, true);
  other.exit({ code: 0, signal: null });
  await waitFor(() => control.a.closes.length === 1, "the control room to close");
  assert.deepEqual(a.closes, [], "the room waits for stdout to end");
  child.print("late\ntail");
  child.endOutput();
  await room.done;
  assert.deepEqual(a.events, [{ send: "late" }, { send: "tail" }, { close: [1000, ""] }]);
});

test("a spawn failure closes members with 1011 and the error", async () => {
  const { room, runtime, a, b, hooks, lines } = setup();
  runtime.failWith = new Error('Cannot spawn "./bot.sh": file not found');
  room.join(a, env());
  room.join(b, env());
  await room.done;
  assert.deepEqual(a.closes, [[1011, 'Cannot spawn "./bot.sh": file not found']]);
  assert.deepEqual(b.closes, [[1011, 'Cannot spawn "./bot.sh": file not found']]);
  assert.equal(hooks.ended, 1);
  assert.ok(lines.some((l) => l.includes("file not found")), "the failure is logged");
});

test("an environment that cannot be made ends the room as a failed spawn would", async () => {
  const { room, runtime, a, hooks, lines } = setup();
  room.join(a, () => {
    throw new Error("no environment for this client");
  });
  await room.done;
  assert.deepEqual(runtime.spawns, [], "nothing is spawned without its environment");
  assert.deepEqual(a.closes, [[1011, "no environment for this client"]]);
  assert.equal(hooks.ended, 1);
  assert.ok(lines.some((l) => l.includes("no environment")), "the failure is logged");
});

test("the last member leaving stops the child", async () => {
  const { room, runtime, a, b, hooks } = setup();
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  room.leave(a);
  room.leave(a);
  assert.equal(child.stdinClosed, false, "one member is still there");
  room.leave(b);
  await waitFor(() => child.stdinClosed, "stdin to be closed");
  assert.equal(hooks.detached >= 1, true, "the room takes no more members at once");
  await room.done;
  assert.deepEqual(child.signals, [], "cat-like children stop on stdin close");
  assert.equal(hooks.ended, 1);
});

test("everyone leaving while the child starts still stops it once it exists", async () => {
  const { room, runtime, a } = setup();
  room.join(a, env());
  room.leave(a);
  const child = await runtime.child();
  await waitFor(() => child.stdinClosed, "stdin to be closed");
  await room.done;
});

test("a reservation keeps an empty room and its child alive until released", async () => {
  const { room, runtime, a } = setup();
  const release = room.reserve();
  room.join(a, env());
  const child = await runtime.child();
  room.leave(a);
  // A room that stops closes stdin at once, in leave(): nothing to wait for.
  assert.equal(room.state, "running", "the reserved room does not start stopping");
  assert.equal(child.stdinClosed, false);
  release();
  release();
  await waitFor(() => child.stdinClosed, "stdin to be closed after the release");
  await room.done;
});

test("with --linger the stop waits, and the stop comes after the wait", async () => {
  const { room, runtime, a } = setup({ linger: 0.05 });
  room.join(a, env());
  const child = await runtime.child();
  const lingerNotOver = timerOf(50);
  room.leave(a);
  assert.equal(child.stdinClosed, false);
  await lingerNotOver;
  assert.equal(child.stdinClosed, false, "the room stopped before --linger ran out");
  await waitFor(() => child.stdinClosed, "the lingering room to stop");
  await room.done;
});

test("a member rejoining within --linger cancels the stop", async () => {
  const { room, runtime, a, b } = setup({ linger: 0.05 });
  room.join(a, env());
  const child = await runtime.child();
  room.leave(a);
  // Set after the room's first --linger timer, of the same length: it fires just after it.
  const pastFirstLinger = timerOf(50);
  room.join(b, env());
  await pastFirstLinger;
  assert.equal(child.stdinClosed, false);
  assert.equal(runtime.spawns.length, 1, "the same child is shared");
  child.print("still here\n");
  assert.deepEqual(b.sent, ["still here"]);
  // Leaving again starts a fresh linger.
  const lingerNotOver = timerOf(50);
  room.leave(b);
  await lingerNotOver;
  assert.equal(child.stdinClosed, false, "the fresh linger has not run out");
  await waitFor(() => child.stdinClosed, "the room to stop after the second leave");
  await room.done;
});

test("shutdown closes members with its code and stops the child", async () => {
  const { room, runtime, a, b } = setup();
  room.join(a, env());
  room.join(b, env());
  const child = await runtime.child();
  await room.shutdown(1001, "server shutting down");
  assert.equal(child.stdinClosed, true);
  assert.deepEqual(a.closes, [[1001, "server shutting down"]]);
  assert.deepEqual(b.closes, [[1001, "server shutting down"]]);
  assert.equal(room.state, "ended");
});

test("shutdown while the child is starting stops it as soon as it exists", async () => {
  const { room, runtime, a } = setup();
  room.join(a, env());
  const done = room.shutdown(1001, "server shutting down");
  const child = await runtime.child();
  await done;
  assert.equal(child.stdinClosed, true);
  assert.deepEqual(a.closes, [[1001, "server shutting down"]]);
});

test("a member joining a stopping room is turned away", async () => {
  const { room, runtime, a, b } = setup();
  room.join(a, env());
  const child = await runtime.child();
  child.exitOnStdinClose = false;
  room.leave(a);
  assert.equal(room.state, "stopping");
  room.join(b, env());
  assert.deepEqual(b.closes, [[1011, "room is closing"]]);
  assert.equal(runtime.spawns.length, 1);
  await room.done;
  assert.deepEqual(child.signals, ["SIGINT"]);
});
