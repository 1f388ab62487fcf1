// Unit tests for gwsocket framing: the header layout and decoding across any chunking.
import { test } from "node:test";
import assert from "node:assert/strict";
import { encodeFrame, GW, GwDecoder, type GwFrame } from "../../src/codec/gwsocket.ts";
import { seeded } from "./random.ts";
import { concat, gwHeader as header } from "./bytes.ts";

const enc = new TextEncoder();

/** Decodes the chunks in turn; returns the frames and the errors reported. */
function decode(chunks: Uint8Array[], max = 1024) {
  const errors: string[] = [];
  const decoder = new GwDecoder(max, (why) => errors.push(why));
  const frames: GwFrame[] = [];
  for (const c of chunks) frames.push(...decoder.push(c));
  return { frames, errors, leftover: decoder.leftover };
}

const frame = (id: number, type: number, payload: string | Uint8Array): GwFrame => ({
  id,
  type,
  payload: typeof payload === "string" ? enc.encode(payload) : payload,
});

test("encodeFrame writes id, type and length as big-endian uint32, then the payload", () => {
  const out = encodeFrame(0x01020304, GW.text, enc.encode("hé"));
  assert.deepEqual(
    [...out],
    [1, 2, 3, 4, 0, 0, 0, 1, 0, 0, 0, 3, 0x68, 0xc3, 0xa9],
  );
  assert.deepEqual([...encodeFrame(7, GW.close, new Uint8Array(0))], [
    0,
    0,
    0,
    7,
    0,
    0,
    0,
    8,
    0,
    0,
    0,
    0,
  ]);
  const big = encodeFrame(0xffffffff, GW.open, new Uint8Array(300));
  assert.deepEqual([...big.subarray(0, 12)], [255, 255, 255, 255, 0, 0, 0, 0x10, 0, 0, 1, 44]);
  assert.equal(big.byteLength, 312);
});

test("the gwsocket types are those of gwsocket's strict mode", () => {
  assert.deepEqual(GW, { text: 0x01, binary: 0x02, close: 0x08, open: 0x10 });
});

test("the decoder reads several frames from one chunk", () => {
  const frames = [
    frame(0, GW.text, "hello"),
    frame(3, GW.binary, new Uint8Array([0, 255])),
    frame(4, GW.close, ""),
    frame(5, GW.open, "10.0.0.1"),
  ];
  const bytes = concat(frames.map((f) => encodeFrame(f.id, f.type, f.payload)));
  const got = decode([bytes]);
  assert.deepEqual(got.frames, frames);
  assert.deepEqual(got.errors, []);
  assert.equal(got.leftover, 0);
});

test("the decoder gives the same frames for a stream cut at any one place", () => {
  const frames = [frame(1, GW.text, "ab"), frame(0, GW.close, ""), frame(2, GW.binary, "xyz")];
  const bytes = concat(frames.map((f) => encodeFrame(f.id, f.type, f.payload)));
  for (let cut = 0; cut <= bytes.byteLength; cut++) {
    const got = decode([bytes.subarray(0, cut), bytes.subarray(cut)]);
    assert.deepEqual(got.frames, frames, `cut at ${cut}`);
    assert.equal(got.leftover, 0);
  }
});

test("the decoder gives the same frames when fed one byte at a time", () => {
  const frames = [frame(9, GW.text, "one"), frame(10, GW.text, "")];
  const bytes = concat(frames.map((f) => encodeFrame(f.id, f.type, f.payload)));
  const got = decode([...bytes].map((b) => new Uint8Array([b])));
  assert.deepEqual(got.frames, frames);
});

test("the decoder gives the same frames for random frames in random chunks", () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const r = seeded(seed);
    for (let round = 0; round < 40; round++) {
      const frames = Array.from({ length: r.int(8) }, () => {
        const payload = new Uint8Array(r.chance(0.1) ? 1024 : r.int(40));
        for (let i = 0; i < payload.length; i++) payload[i] = r.int(256);
        return frame(
          r.chance(0.3) ? 0 : 1 + r.int(2 ** 32 - 1),
          r.pick(Object.values(GW)),
          payload,
        );
      });
      const bytes = concat(frames.map((f) => encodeFrame(f.id, f.type, f.payload)));
      const chunks: Uint8Array[] = [];
      for (let at = 0; at < bytes.byteLength;) {
        const n = r.chance(0.2) ? 0 : 1 + r.int(r.chance(0.5) ? 14 : 200);
        chunks.push(bytes.slice(at, at + n));
        at += n;
      }
      const got = decode(chunks);
      assert.deepEqual(got.frames, frames, `seed ${seed}, round ${round}`);
      assert.deepEqual(got.errors, []);
      assert.equal(got.leftover, 0);
    }
  }
});

test("decoded payloads are copies that later chunks do not overwrite", () => {
  const decoder = new GwDecoder(1024, () => assert.fail("no error"));
  const chunk = encodeFrame(1, GW.text, enc.encode("abc"));
  const [f] = decoder.push(chunk);
  chunk.fill(0);
  assert.deepEqual(f, frame(1, GW.text, "abc"));
});

test("a frame of unknown type is reported and skipped, the next frames kept", () => {
  const bytes = concat([
    encodeFrame(1, GW.text, enc.encode("before")),
    encodeFrame(2, 0x03, enc.encode("junk")),
    encodeFrame(3, GW.text, enc.encode("after")),
  ]);
  const got = decode([bytes]);
  assert.deepEqual(got.frames, [frame(1, GW.text, "before"), frame(3, GW.text, "after")]);
  assert.deepEqual(got.errors, ["frame has unknown type 0x3"]);
});

test("a payload of exactly the limit is accepted and one byte more is refused", () => {
  const ok = decode([encodeFrame(1, GW.binary, new Uint8Array(16))], 16);
  assert.equal(ok.frames.length, 1);
  assert.deepEqual(ok.errors, []);
  const over = decode([encodeFrame(1, GW.binary, new Uint8Array(17))], 16);
  assert.deepEqual(over.frames, []);
  assert.deepEqual(over.errors, ["frame of 17 bytes is over the limit of 16"]);
  assert.equal(over.leftover, 0);
});

test("an oversized payload spanning later chunks is read past without losing what follows", () => {
  const bytes = concat([
    encodeFrame(1, GW.text, enc.encode("a")),
    encodeFrame(2, GW.binary, new Uint8Array(100).fill(0x41)),
    encodeFrame(3, GW.text, enc.encode("b")),
    header(4, 0x7f, 30),
    new Uint8Array(30),
    encodeFrame(5, GW.text, enc.encode("c")),
  ]);
  const expected = [frame(1, GW.text, "a"), frame(3, GW.text, "b"), frame(5, GW.text, "c")];
  for (const size of [1, 5, 12, 13, 20, 33, 64, 200]) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < bytes.byteLength; at += size) chunks.push(bytes.slice(at, at + size));
    const got = decode(chunks, 10);
    assert.deepEqual(got.frames, expected, `chunks of ${size}`);
    assert.deepEqual(got.errors, [
      "frame of 100 bytes is over the limit of 10",
      "frame has unknown type 0x7f",
    ], `chunks of ${size}`);
    assert.equal(got.leftover, 0, `chunks of ${size}`);
  }
});

test("leftover counts the bytes of an incomplete frame", () => {
  const bytes = encodeFrame(1, GW.text, enc.encode("hello"));
  assert.equal(decode([bytes.subarray(0, 5)]).leftover, 5);
  assert.equal(decode([bytes.subarray(0, 12)]).leftover, 12);
  assert.equal(decode([bytes.subarray(0, 15)]).leftover, 15);
  const after = decode([concat([bytes, bytes.subarray(0, 7)])]);
  assert.equal(after.frames.length, 1);
  assert.equal(after.leftover, 7);
});

test("leftover does not count the unread rest of a refused frame", () => {
  const got = decode([header(1, GW.text, 500), new Uint8Array(10)], 100);
  assert.equal(got.leftover, 0);
  assert.equal(got.errors.length, 1);
});
