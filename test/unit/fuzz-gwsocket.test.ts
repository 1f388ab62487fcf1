// Property tests (fast-check) for gwsocket frames from a child (S5): frames come out whole
// whatever the chunking, bad frames are skipped and reported, nothing throws, and what the
// decoder keeps is bounded by one frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeFrame, GW, GwDecoder, type GwFrame } from "../../src/codec/gwsocket.ts";
import { chunked, concat, gwHeader } from "./bytes.ts";

const MAX = 64;
const TYPES = Object.values(GW);

const frame = fc.record({
  id: fc.nat({ max: 2 ** 32 - 1 }),
  type: fc.constantFrom(...TYPES),
  payload: fc.uint8Array({ maxLength: MAX }),
});

const plain = (f: GwFrame) => ({ id: f.id, type: f.type, payload: [...f.payload] });

test("valid frames come out whole and in order, whatever the chunk boundaries", () => {
  fc.assert(
    fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 16 }), (
      frames,
      cuts,
    ) => {
      const errors: string[] = [];
      const d = new GwDecoder(MAX, (e) => errors.push(e));
      const bytes = concat(frames.map((f) => encodeFrame(f.id, f.type, f.payload)));
      const got = chunked(bytes, cuts).flatMap((c) => d.push(c));
      assert.deepEqual(got.map(plain), frames.map(plain));
      assert.deepEqual(errors, []);
      assert.equal(d.leftover, 0);
    }),
    { numRuns: 2000 },
  );
});

test("a bad frame (unknown type or over the limit) is skipped, and the next one still comes", () => {
  fc.assert(
    fc.property(
      frame,
      fc.oneof(
        fc.record({
          type: fc.nat({ max: 2 ** 32 - 1 }).filter((t) => !TYPES.includes(t as 1)),
          length: fc.nat({ max: 200 }),
        }),
        fc.record({
          type: fc.constantFrom(...TYPES),
          length: fc.integer({ min: MAX + 1, max: 300 }),
        }),
      ),
      frame,
      fc.array(fc.nat(), { maxLength: 16 }),
      (before, bad, after, cuts) => {
        const errors: string[] = [];
        const d = new GwDecoder(MAX, (e) => errors.push(e));
        const bytes = concat([
          encodeFrame(before.id, before.type, before.payload),
          gwHeader(7, bad.type, bad.length),
          new Uint8Array(bad.length).fill(0xee), // the bad frame's payload, read past
          encodeFrame(after.id, after.type, after.payload),
        ]);
        const got = chunked(bytes, cuts).flatMap((c) => d.push(c));
        assert.deepEqual(got.map(plain), [plain(before), plain(after)]);
        assert.equal(errors.length, 1, errors.join("; "));
      },
    ),
    { numRuns: 2000 },
  );
});

test("arbitrary bytes never throw, and the decoder never holds more than one frame", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }), (chunks) => {
      const d = new GwDecoder(MAX, () => {});
      for (const c of chunks) {
        for (const f of d.push(c)) {
          assert.ok(TYPES.includes(f.type as 1), `type ${f.type} let through`);
          assert.ok(f.payload.length <= MAX, `payload ${f.payload.length} over ${MAX}`);
        }
        // An announced 4 GiB payload is refused from its header: memory stays one frame.
        assert.ok(d.leftover < 12 + MAX, `${d.leftover} bytes held`);
      }
    }),
    { numRuns: 2000 },
  );
});
