// Unit tests for the --cache history: a ring of the last N messages, replayed per client.
import { test } from "node:test";
import assert from "node:assert/strict";
import { History } from "../../src/room/history.ts";

const all = (msg: string | Uint8Array) => ({ msg, to: null });

test("an empty history replays nothing", () => {
  const h = new History(3);
  assert.equal(h.length, 0);
  assert.deepEqual(h.replayFor(1), []);
});

test("the history keeps the last N messages, oldest first", () => {
  const h = new History(3);
  h.add(all("a"));
  h.add(all("b"));
  assert.deepEqual(h.replayFor(1), ["a", "b"]);
  for (const m of ["c", "d", "e", "f", "g"]) h.add(all(m));
  assert.equal(h.length, 3);
  assert.deepEqual(h.replayFor(1), ["e", "f", "g"]);
});

test("the history stays in order however many times it wraps", () => {
  const h = new History(4);
  for (let i = 0; i < 103; i++) {
    h.add(all(String(i)));
    const expected = [];
    for (let j = Math.max(0, i - 3); j <= i; j++) expected.push(String(j));
    assert.deepEqual(h.replayFor(1), expected, `after ${i + 1} adds`);
  }
});

test("a history of size 1 keeps only the latest message", () => {
  const h = new History(1);
  h.add(all("a"));
  assert.deepEqual(h.replayFor(1), ["a"]);
  h.add(all("b"));
  h.add(all("c"));
  assert.equal(h.length, 1);
  assert.deepEqual(h.replayFor(1), ["c"]);
});

test("a routed message is replayed only to the clients it was addressed to", () => {
  const h = new History(10);
  h.add(all("everyone"));
  h.add({ msg: "to 2", to: [2] });
  h.add({ msg: "to 1 and 3", to: [1, 3] });
  h.add({ msg: "to nobody", to: [] });
  h.add(all("everyone again"));
  assert.deepEqual(h.replayFor(1), ["everyone", "to 1 and 3", "everyone again"]);
  assert.deepEqual(h.replayFor(2), ["everyone", "to 2", "everyone again"]);
  assert.deepEqual(h.replayFor(3), ["everyone", "to 1 and 3", "everyone again"]);
  assert.deepEqual(h.replayFor(4), ["everyone", "everyone again"]);
});

test("routed messages still take their place in the ring", () => {
  const h = new History(2);
  h.add(all("a"));
  h.add({ msg: "b", to: [2] });
  h.add({ msg: "c", to: [2] });
  assert.deepEqual(h.replayFor(1), []);
  assert.deepEqual(h.replayFor(2), ["b", "c"]);
});

test("binary messages are replayed as they were added", () => {
  const h = new History(2);
  const bytes = new Uint8Array([0, 1, 255]);
  h.add(all(bytes));
  h.add(all("text"));
  const [first, second] = h.replayFor(9);
  assert.equal(first, bytes);
  assert.equal(second, "text");
});
