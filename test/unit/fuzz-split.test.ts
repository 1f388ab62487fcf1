// Property tests (fast-check) for output splitting (S4): the messages never depend on how the
// child's output was cut into chunks, match a plain reference split, and each fits the frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createSplitter, inputBytes, toMessage } from "../../src/codec/split.ts";
import type { Split } from "../../src/config.ts";
import { chunked } from "./bytes.ts";

const LF = 0x0a;
const CR = 0x0d;

/** Bytes rich in delimiters and CRs, so lines are short and CRLFs straddle chunk ends. */
const stream = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(LF, CR, 0, 0x3b, 0x2c) },
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 255 }) },
  ),
  { maxLength: 300 },
).map((a) => new Uint8Array(a));

/** What S4 says the messages are: split the whole stream, drop a CR before LF, cut to max. */
function reference(split: Split, bytes: Uint8Array, max: number): number[][] {
  const delims = split.kind === "lines" ? [LF] : split.kind === "bytes" ? split.delimiters : [];
  const messages: number[][] = [];
  let cur: number[] = [];
  for (const b of bytes) {
    if (delims.includes(b)) {
      messages.push(cur);
      cur = [];
    } else cur.push(b);
  }
  // A final unterminated message is delivered at the end; an empty rest is nothing.
  if (cur.length > 0) messages.push(cur);
  const out: number[][] = [];
  for (let m of messages) {
    if (split.kind === "lines" && m.at(-1) === CR) m = m.slice(0, -1);
    if (m.length <= max) out.push(m);
    else for (let i = 0; i < m.length; i += max) out.push(m.slice(i, i + max));
  }
  return out;
}

function run(split: Split, chunks: Uint8Array[], max: number) {
  let oversize = 0;
  const s = createSplitter(split, max, () => oversize++);
  const out: number[][] = [];
  for (const c of chunks) for (const m of s.push(c)) out.push([...m]);
  for (const m of s.end()) out.push([...m]);
  return { out, oversize };
}

const SPLITS: Split[] = [
  { kind: "lines" },
  { kind: "bytes", delimiters: [0] },
  { kind: "bytes", delimiters: [0x3b, 0x2c] },
  { kind: "bytes", delimiters: [0x3b, 0x3b, LF] },
];

test("lines, NUL and delimiter splitting: any chunking gives the reference messages", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SPLITS),
      stream,
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.integer({ min: 1, max: 40 }),
      (split, bytes, cuts, max) => {
        const want = reference(split, bytes, max);
        const { out, oversize } = run(split, chunked(bytes, cuts), max);
        assert.deepEqual(out, want);
        for (const m of out) assert.ok(m.length <= max, `a message of ${m.length} > ${max}`);
        // Reported at most once per message that had to be cut.
        assert.ok(oversize <= want.length);
      },
    ),
    { numRuns: 3000 },
  );
});

test("one byte at a time gives the same messages as one chunk", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...SPLITS),
      stream,
      fc.integer({ min: 1, max: 40 }),
      (s, b, max) => {
        const whole = run(s, [b], max).out;
        const bytewise = run(s, [...b].map((x) => new Uint8Array([x])), max).out;
        assert.deepEqual(bytewise, whole);
      },
    ),
    { numRuns: 1000 },
  );
});

test("binary splitting keeps every byte in order, in non-empty pieces of at most max", () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 40 }), (
      bytes,
      cuts,
      max,
    ) => {
      const { out } = run({ kind: "binary" }, chunked(bytes, cuts), max);
      assert.deepEqual(out.flat(), [...bytes]);
      for (const m of out) assert.ok(m.length > 0 && m.length <= max);
    }),
    { numRuns: 1000 },
  );
});

test("a line that never ends is sent as it comes: end() flushes one piece of at most max", () => {
  // A line that never ends is cut and sent, never held: what is held is the open rest.
  fc.assert(
    fc.property(
      fc.constantFrom(...SPLITS),
      // Long runs without a delimiter, too: the held rest must not grow with them.
      fc.array(
        fc.oneof(
          stream,
          fc.uint8Array({ minLength: 100, maxLength: 400 }).map(
            (b) => b.map((x) => (x === LF || x === 0 || x === 0x3b || x === 0x2c ? 0x78 : x)),
          ),
        ),
        { maxLength: 10 },
      ),
      fc.integer({ min: 1, max: 40 }),
      (split, chunks, max) => {
        const s = createSplitter(split, max);
        let fed = 0;
        let sent = 0;
        for (const c of chunks) {
          fed += c.length;
          for (const m of s.push(c)) sent += m.length;
        }
        // What end() flushes is what was held: one message, cut to max like any other.
        const rest = s.end();
        assert.ok(rest.length <= 1, `${rest.length} messages held at the end`);
        for (const m of rest) assert.ok(m.length <= max, `${m.length} bytes held with max ${max}`);
        sent += rest.reduce((n, m) => n + m.length, 0);
        assert.ok(sent <= fed, `${sent} bytes out of ${fed} in`);
      },
    ),
    { numRuns: 1000 },
  );
});

test("toMessage: valid UTF-8 becomes text with the same bytes, anything else stays bytes", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 40 }),
        fc.string({ unit: "binary", maxLength: 20 }).map((s) => new TextEncoder().encode(s)),
        fc.constant(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), // a BOM is content, kept
      ),
      (bytes) => {
        const m = toMessage(bytes);
        if (typeof m === "string") assert.deepEqual(new TextEncoder().encode(m), bytes);
        else {
          assert.equal(m, bytes);
          assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes));
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test("inputBytes appends exactly one delimiter to a message, or nothing in --binary", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<Split>(...SPLITS, { kind: "binary" }),
      fc.oneof(fc.string({ unit: "binary", maxLength: 20 }), fc.uint8Array({ maxLength: 20 })),
      (split, data) => {
        const body = typeof data === "string" ? new TextEncoder().encode(data) : data;
        const out = inputBytes(split, data);
        const end = split.kind === "lines"
          ? [LF]
          : split.kind === "bytes"
          ? [split.delimiters[0]]
          : [];
        assert.deepEqual([...out], [...body, ...end]);
      },
    ),
    { numRuns: 500 },
  );
});
