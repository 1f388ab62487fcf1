// Unit tests of the cluster link's frames and of the owner's side of a link: a message for every
// relayed client crosses once, close codes and vanished links reach the memberships.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Batch, type Frame, MAX_FRAME, OP, Reader } from "../../src/cluster/mux.ts";
import { OwnerLink } from "../../src/cluster/owner-link.ts";
import type { Outgoing } from "../../src/codec/outgoing.ts";
import type { Membership, Socket, Ticket } from "../../src/room/door.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

function roundTrip(frames: Frame[], limit = Infinity): Frame[] {
  const batch = new Batch(limit);
  for (const f of frames) batch.add(f);
  const got: Frame[] = [];
  const reader = new Reader(MAX_FRAME);
  for (const msg of batch.take()) assert.ok(reader.feed(msg, (f) => got.push(f)), "it reads back");
  return got;
}

test("every kind of frame reads back as it was written", () => {
  const frames: Frame[] = [
    { op: OP.join, ch: 7, fields: { "x-scalesocket-forwarded": "abc", Origin: "http://a" } },
    { op: OP.message, ch: 7, text: true, data: bytes("héllo") },
    { op: OP.message, ch: 8, text: false, data: new Uint8Array([0, 255]) },
    { op: OP.close, ch: 7, code: 4001, reason: "bye" },
    { op: OP.admit, ch: 9 },
    { op: OP.refuse, ch: 9, status: 429, text: "Room is full" },
    { op: OP.deliver, text: true, to: null, data: bytes("all") },
    { op: OP.deliver, text: false, to: [1, 70000], data: new Uint8Array([1, 2, 3]) },
  ];
  const got = roundTrip(frames).map((f) =>
    "data" in f ? { ...f, data: new Uint8Array(f.data) } : f
  );
  assert.deepEqual(got, frames);
});

test("a batch over its limit is cut into messages, and a frame across two reads whole", () => {
  const big: Frame = { op: OP.message, ch: 3, text: false, data: new Uint8Array(100).fill(7) };
  const frames = [{ op: OP.admit, ch: 1 }, big, { op: OP.admit, ch: 2 }] as Frame[];
  const batch = new Batch(30);
  for (const f of frames) batch.add(f);
  const msgs = batch.take();
  assert.ok(msgs.length > 1, "a 110-byte frame does not fit in 30 bytes");
  assert.ok(msgs.every((m) => m.byteLength <= 30), "no message is over the limit");
  const got = roundTrip(frames, 30).map((f) =>
    "data" in f ? { ...f, data: new Uint8Array(f.data) } : f
  );
  assert.deepEqual(got, frames);
});

test("an unknown or oversized frame is refused, and half a frame waits", () => {
  const unknown = new Uint8Array([0, 0, 0, 1, 99]);
  assert.equal(new Reader(MAX_FRAME).feed(unknown, () => {}), false, "kind 99 is no frame");
  const huge = new Uint8Array([0x7f, 0, 0, 0, 1]);
  assert.equal(new Reader(1024).feed(huge, () => {}), false, "a frame over the cap is refused");
  const seen: Frame[] = [];
  const half = new Uint8Array([0, 0, 0, 5, OP.admit, 0]);
  assert.equal(new Reader(MAX_FRAME).feed(half, (f) => seen.push(f)), true);
  assert.deepEqual(seen, [], "half a frame waits for the rest");
});

/** An owner link on a fake socket, whose clients are admitted into a fake room. */
function ownerLink() {
  const sent: Frame[] = [];
  const closes: [number, number, string][] = [];
  const inbox: [number, string | Uint8Array][] = [];
  const sockets = new Map<number, Socket>();
  let holds = 0;
  const link: Socket = {
    send: (m: Outgoing) => void new Reader(MAX_FRAME).feed(m.data, (f) => sent.push(f)),
    bufferedAmount: 0,
    closed: false,
    close: () => {},
    terminate: () => {},
    hold: () => void holds++,
    release: () => void holds--,
  };
  let next = 1;
  const owner = new OwnerLink(link, () => {
    const id = next++;
    const ticket: Ticket = {
      room: "r",
      cancel: () => {},
      open(socket): Membership {
        sockets.set(id, socket);
        return {
          message: (d) => inbox.push([id, d]),
          closed: (code, reason) => closes.push([id, code, reason]),
        };
      },
    };
    return Promise.resolve(ticket);
  });
  const membership = owner.membership();
  const frames = (...fs: Frame[]) => {
    const b = new Batch(Infinity);
    for (const f of fs) b.add(f);
    for (const m of b.take()) membership.message(m);
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
  return { sent, closes, inbox, sockets, frames, membership, settle, holds: () => holds };
}

test("a message the room sends to every client of the link crosses it once", async () => {
  const o = ownerLink();
  o.frames(...[1, 2, 3].map((ch): Frame => ({ op: OP.join, ch, fields: {} })));
  await o.settle();
  assert.deepEqual(o.sent.map((f) => f.op), [OP.admit, OP.admit, OP.admit]);
  o.sent.length = 0;
  const out: Outgoing = { text: true, data: bytes("hi") };
  const all = [...o.sockets.values()];
  for (const s of all) s.hold();
  for (const s of all) s.send(out);
  for (const s of all) s.release();
  assert.equal(o.sent.length, 1, "one frame for three clients");
  assert.equal(o.sent[0].op === OP.deliver && o.sent[0].to, null, "addressed to every channel");
  assert.equal(o.holds(), 0, "the link's socket is released after the write");
});

test("a message for some clients of the link names them", async () => {
  const o = ownerLink();
  o.frames(...[1, 2, 3].map((ch): Frame => ({ op: OP.join, ch, fields: {} })));
  await o.settle();
  o.sent.length = 0;
  const out: Outgoing = { text: false, data: new Uint8Array([5]) };
  o.sockets.get(1)!.send(out);
  o.sockets.get(3)!.send(out);
  await o.settle();
  const f = o.sent[0];
  assert.deepEqual(f.op === OP.deliver && f.to, [1, 3], "only channels 1 and 3");
});

test("client messages, closes and a lost link reach the memberships", async () => {
  const o = ownerLink();
  o.frames({ op: OP.join, ch: 4, fields: {} }, { op: OP.join, ch: 5, fields: {} });
  await o.settle();
  o.frames(
    { op: OP.message, ch: 4, text: true, data: bytes("hello") },
    { op: OP.close, ch: 4, code: 4000, reason: "done" },
  );
  assert.deepEqual(o.inbox, [[1, "hello"]], "a text message arrives as text");
  assert.deepEqual(o.closes, [[1, 4000, "done"]], "a clean close keeps its code");
  o.membership.closed(1006, "");
  assert.deepEqual(o.closes[1], [2, 1006, ""], "a vanished link is a vanished client");
});
