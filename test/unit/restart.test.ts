// Unit tests for --restart: a crashed child is started again for the members still there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { RESTART_MESSAGE as RESTART, Restarts } from "../../src/room/restart.ts";
import { roomEnv as env, setupRoom as setup, waitFor } from "./fakes.ts";

const JSON_MODE = {
  frame: { client: "json", server: "json" },
  joinMsg: '{"t":"Join","_from":#ID}',
  leaveMsg: '{"t":"Leave","_from":#ID}',
} as const;

test("a crashed child is started again and told of every member, in id order", async () => {
  const { room, runtime, a, b, hooks } = setup({ ...JSON_MODE, restart: 3 });
  room.join(b, env({ SCALESOCKET_EPOCH: "7" }));
  room.join(a, env());
  (await runtime.child(0)).exit({ code: 1, signal: null });
  const second = await runtime.child(1);
  await waitFor(() => second.writes.length >= 2, "the joins written to the new child");
  assert.deepEqual(second.writes.slice(0, 2), [
    '{"t":"Join","_from":1}\n',
    '{"t":"Join","_from":2}\n',
  ], "the new child hears of both members, lowest id first");
  assert.deepEqual(runtime.spawns[1].env, runtime.spawns[0].env, "the same environment");
  assert.equal(runtime.spawns[1].env.SCALESOCKET_EPOCH, "7", "cluster mode's epoch is kept");
  assert.deepEqual(a.events, [{ send: RESTART }], "told, and not closed");
  assert.deepEqual(b.closes, [], "the other member is not closed either");
  assert.deepEqual(hooks, { detached: 0, ended: 0 }, "the room lives on");
  second.print('{"hello":1}\n');
  assert.deepEqual(a.sent.at(-1), '{"hello":1}', "the new child's output reaches the members");
});

test("a child killed by a signal is restarted too", async () => {
  const { room, runtime, a } = setup({ restart: 1 });
  room.join(a, env());
  (await runtime.child(0)).exit({ code: null, signal: "SIGSEGV" });
  await runtime.child(1);
  assert.deepEqual(a.closes, [], "the member stays");
});

test("past N restarts in a minute the room ends with 1011 as without --restart", async () => {
  const { room, runtime, a } = setup({ restart: 1 });
  room.join(a, env());
  (await runtime.child(0)).exit({ code: 2, signal: null });
  (await runtime.child(1)).exit({ code: 3, signal: null });
  await room.done;
  assert.deepEqual(a.closes, [[1011, "process exited with code 3"]]);
  assert.equal(runtime.children.length, 2, "no third child");
});

test("a clean exit is not restarted", async () => {
  const { room, runtime, a } = setup({ restart: 3 });
  room.join(a, env());
  (await runtime.child(0)).exit({ code: 0, signal: null });
  await room.done;
  assert.deepEqual(a.closes, [[1000, ""]]);
  assert.equal(runtime.children.length, 1, "no second child");
});

test("the --cache history outlives the crash", async () => {
  const { room, runtime, a, b } = setup({ restart: 3, cache: { kind: "all", size: 10 } });
  room.join(a, env());
  const first = await runtime.child(0);
  first.print("before\n");
  first.exit({ code: 1, signal: null });
  await runtime.child(1);
  room.join(b, env());
  assert.deepEqual(b.sent, ["before"], "a member joining after the restart gets the history");
});

test("messages sent while the child restarts reach the new child after the joins", async () => {
  const { room, runtime, a } = setup({ ...JSON_MODE, restart: 3 });
  room.join(a, env());
  (await runtime.child(0)).exit({ code: 1, signal: null });
  await waitFor(() => a.sent.includes(RESTART), "the restart to begin");
  room.input(a, '{"say":"hi"}');
  const second = await runtime.child(1);
  await waitFor(() => second.writes.length >= 2, "the join and the message");
  assert.deepEqual(second.writes, ['{"t":"Join","_from":1}\n', '{"say":"hi","_from":1}\n']);
});

test("everyone leaving before the restart ends the room without a new child", async () => {
  const { room, runtime, a, hooks } = setup({ ...JSON_MODE, restart: 3 });
  room.join(a, env());
  (await runtime.child(0)).exit({ code: 1, signal: null });
  await waitFor(() => a.sent.includes(RESTART), "the restart to begin");
  room.leave(a);
  await room.done;
  assert.equal(runtime.children.length, 1, "the pending start was cancelled");
  assert.deepEqual(hooks, { detached: 1, ended: 1 });
});

test("restarts back off and are limited to N in any sliding minute", () => {
  let now = 0;
  const r = new Restarts(3, () => now);
  const delays = [r.next()];
  now = 1000;
  delays.push(r.next());
  now = 2000;
  delays.push(r.next());
  assert.deepEqual(delays, [100, 200, 400], "each waits twice as long");
  assert.equal(r.next(), null, "the fourth in the same minute is refused");
  now = 59_999;
  assert.equal(r.next(), null, "still within the minute of the first");
  now = 60_000;
  assert.equal(r.next(), 400, "the first has left the window: one more, still backed off");
  now = 200_000;
  assert.equal(r.next(), 100, "a quiet minute starts the backoff over");
});
