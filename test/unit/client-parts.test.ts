// Unit tests of the client library's parts: backoff, send queue, resume frames, events.
import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_BACKOFF } from "../../src/client/backoff.ts";
import { SendQueue } from "../../src/client/queue.ts";
import { attemptUrl, parseControl } from "../../src/client/control.ts";
import { Emitter } from "../../src/client/emitter.ts";

test("the reconnect wait grows by its factor from base and stops at max", () => {
  const policy = { base: 100, max: 1000, factor: 2, jitter: 0.5 };
  const waits = [0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, policy, () => 0));
  assert.deepEqual(waits, [100, 200, 400, 800, 1000, 1000]);
});

test("jitter takes at most its share off the wait, and a jitter of 0 takes nothing", () => {
  const policy = { ...DEFAULT_BACKOFF, base: 1000 };
  assert.equal(backoffDelay(0, policy, () => 0.999999), 500, "half off at most with 0.5");
  for (let i = 0; i < 100; i++) {
    const wait = backoffDelay(0, policy);
    assert.ok(wait >= 500 && wait <= 1000, `a wait of ${wait} ms is outside 500–1000`);
  }
  assert.equal(backoffDelay(0, { ...policy, jitter: 0 }, () => 0.9), 1000);
});

test("a full send queue refuses new messages and keeps the earlier ones in order", () => {
  const queue = new SendQueue(2);
  assert.deepEqual([queue.push("a"), queue.push("b"), queue.push("c")], [true, true, false]);
  assert.deepEqual(queue.drain(), ["a", "b"]);
  assert.equal(queue.size, 0, "drain empties the queue");
  assert.ok(queue.push("d"), "an emptied queue takes messages again");
});

test("a Welcome is read with its id, window, token and user", () => {
  const frame = '{"t":"Welcome","id":7,"resume":30,"token":"abc","user":"ada"}';
  assert.deepEqual(parseControl(frame), {
    t: "Welcome",
    id: 7,
    resume: 30,
    token: "abc",
    user: "ada",
  });
  assert.deepEqual(parseControl('{"t":"Welcome","id":2,"resume":0}'), {
    t: "Welcome",
    id: 2,
    resume: 0,
  });
  const resumed = parseControl('{"t":"Resumed","id":7,"resume":30,"token":"d","missed":3}');
  assert.equal(resumed?.missed, 3);
});

test("frames that are not a Welcome or Resumed are not taken for one", () => {
  for (const frame of ["hello", '{"t":"Join","_from":1}', '{"t":"Welcome"}', "{oops", "[1]"]) {
    assert.equal(parseControl(frame), null, `${frame} was read as a control frame`);
  }
  assert.equal(parseControl(new ArrayBuffer(4)), null, "a binary frame is data");
});

test("an attempt asks with resume=1, or with the token and the count, replacing the URL's own", () => {
  const url = "ws://host:9000/lobby?name=ada&resume=old&received=9";
  assert.equal(attemptUrl(url, null), "ws://host:9000/lobby?name=ada&resume=1");
  assert.equal(
    attemptUrl(url, { token: "T-_x", received: 12 }),
    "ws://host:9000/lobby?name=ada&resume=T-_x&received=12",
  );
  assert.equal(attemptUrl(url, null, false), "ws://host:9000/lobby?name=ada");
});

test("an http(s) URL is turned into the matching websocket URL", () => {
  assert.equal(attemptUrl("https://example.com/chat", null), "wss://example.com/chat?resume=1");
  assert.equal(attemptUrl("http://example.com/", null), "ws://example.com/?resume=1");
});

test("a path outside a page is refused with a message that says what to give instead", () => {
  assert.throws(
    () => attemptUrl("/lobby", null),
    {
      message:
        'Cannot connect to "/lobby": not a URL: give a full ws:// or wss:// URL outside a page',
    },
  );
});

test("a listener that throws stops no other listener, and its error is thrown later", () => {
  const events = new Emitter<{ ping: number }>();
  const heard: number[] = [];
  const offBad = events.on("ping", () => {
    throw new Error("bad listener");
  });
  const off = events.on("ping", (n) => heard.push(n));
  const later: (() => void)[] = [];
  const queue = globalThis.queueMicrotask;
  globalThis.queueMicrotask = (task) => later.push(task);
  try {
    events.emit("ping", 1);
  } finally {
    globalThis.queueMicrotask = queue;
  }
  assert.deepEqual(heard, [1], "the second listener still heard it");
  assert.throws(() => later[0](), { message: "bad listener" });
  offBad();
  off();
  events.emit("ping", 2);
  assert.deepEqual(heard, [1], "a removed listener hears nothing");
});
