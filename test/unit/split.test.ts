// Unit tests for output splitting, message decoding and child input framing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createSplitter, inputBytes, toMessage } from "../../src/codec/split.ts";
import type { Split } from "../../src/config.ts";

const enc = new TextEncoder();
const LINES: Split = { kind: "lines" };
const NUL: Split = { kind: "bytes", delimiters: [0] };
const BINARY: Split = { kind: "binary" };

const text = (ms: Uint8Array[]) => ms.map((m) => new TextDecoder().decode(m));

/** Pushes each chunk in turn, then ends; returns every message as text. */
function run(split: Split, chunks: (string | Uint8Array)[], max = 1024, onOversize?: () => void) {
  const s = createSplitter(split, max, onOversize);
  const out: Uint8Array[] = [];
  for (const c of chunks) out.push(...s.push(typeof c === "string" ? enc.encode(c) : c));
  out.push(...s.end());
  return text(out);
}

test("lines are split on LF with one trailing CR dropped", () => {
  assert.deepEqual(run(LINES, ["a\nb\r\nc\r\r\nd"]), ["a", "b", "c\r", "d"]);
});

test("empty lines are empty messages and a final empty remainder is nothing", () => {
  assert.deepEqual(run(LINES, ["\n\r\n\n"]), ["", "", ""]);
  assert.deepEqual(run(LINES, [""]), []);
});

test("a final unterminated line comes out only at the end", () => {
  const s = createSplitter(LINES, 1024);
  assert.deepEqual(text(s.push(enc.encode("one\ntw"))), ["one"]);
  assert.deepEqual(text(s.push(enc.encode("o"))), []);
  assert.deepEqual(text(s.end()), ["two"]);
});

test("a final line ending in CR loses the CR, as Go's ScanLines does", () => {
  assert.deepEqual(run(LINES, ["x\r"]), ["x"]);
});

test("CRLF split across chunks is still one line ending", () => {
  assert.deepEqual(run(LINES, ["ab\r", "\ncd\r", "", "\n"]), ["ab", "cd"]);
  assert.deepEqual(run(LINES, ["ab\r", "x\n"]), ["ab\rx"]);
});

test("a line spanning many chunks is joined", () => {
  assert.deepEqual(run(LINES, ["a", "b", "c", "d\ne"]), ["abcd", "e"]);
});

test("bytes mode splits on any delimiter and keeps CR", () => {
  assert.deepEqual(run(NUL, ["a\0b\r\0\0c"]), ["a", "b\r", "", "c"]);
  const multi: Split = { kind: "bytes", delimiters: [0x2c, 0x3b, 0x2c] };
  assert.deepEqual(run(multi, ["a,b;c", ";;d,", "e"]), ["a", "b", "c", "", "d", "e"]);
});

test("bytes mode without delimiters never splits", () => {
  assert.deepEqual(run({ kind: "bytes", delimiters: [] }, ["a\nb", "c"]), ["a\nbc"]);
});

test("binary mode returns chunks as they are, cut at maxFrameSize", () => {
  const s = createSplitter(BINARY, 3);
  const chunk = enc.encode("abcdefg\n");
  assert.deepEqual(text(s.push(chunk)), ["abc", "def", "g\n"]);
  assert.deepEqual(s.push(new Uint8Array(0)), []);
  assert.deepEqual(s.end(), []);
  assert.equal(createSplitter(BINARY, 8).push(chunk)[0], chunk);
});

test("an oversized line comes out in full pieces as soon as each is available", () => {
  let warned = 0;
  const s = createSplitter(LINES, 4, () => warned++);
  assert.deepEqual(text(s.push(enc.encode("abcd"))), []);
  assert.deepEqual(text(s.push(enc.encode("e"))), ["abcd"]);
  assert.deepEqual(text(s.push(enc.encode("fghijklm"))), ["efgh", "ijkl"]);
  assert.deepEqual(text(s.push(enc.encode("\r\nxy\n"))), ["m", "xy"]);
  assert.equal(warned, 1);
});

test("a line of exactly maxFrameSize is one message, its CRLF notwithstanding", () => {
  let warned = 0;
  assert.deepEqual(run(LINES, ["abcd\r", "\n"], 4, () => warned++), ["abcd"]);
  assert.deepEqual(run(LINES, ["abcdefgh\n"], 4, () => warned++), ["abcd", "efgh"]);
  assert.equal(warned, 1);
});

test("onOversize is called once per oversized message", () => {
  let warned = 0;
  run(NUL, ["123456\0ab\0", "1234567890\0"], 3, () => warned++);
  assert.equal(warned, 2);
});

test("returned messages are not changed by later pushes", () => {
  const s = createSplitter(LINES, 1024);
  s.push(enc.encode("ab"));
  const [first] = s.push(enc.encode("c\nde"));
  s.push(enc.encode("fgh"));
  s.end();
  assert.equal(new TextDecoder().decode(first), "abc");
});

test("held-back bytes never exceed maxFrameSize and a CR", () => {
  const s = createSplitter(LINES, 4);
  let sent = 0;
  for (let i = 1; i <= 100; i++) {
    for (const m of s.push(enc.encode("xyz\r"))) sent += m.length;
    assert.ok(4 * i - sent <= 5, `${4 * i - sent} bytes held after push ${i}`);
  }
  for (const m of s.end()) sent += m.length;
  assert.equal(sent, 399); // only the final CR is dropped
});

test("maxFrameSize must be a positive integer", () => {
  assert.throws(() => createSplitter(LINES, 0), RangeError);
});

test("toMessage gives text for UTF-8 and the bytes otherwise", () => {
  assert.equal(toMessage(enc.encode("héllo")), "héllo");
  assert.equal(toMessage(new Uint8Array(0)), "");
  assert.equal(toMessage(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])), "\uFEFFA");
  const bad = new Uint8Array([0x61, 0xff, 0x62]);
  assert.equal(toMessage(bad), bad);
  const cut = enc.encode("é").subarray(0, 1);
  assert.equal(toMessage(cut), cut);
});

test("inputBytes frames one client message for the child", () => {
  const hex = (b: Uint8Array) => Array.from(b).join(",");
  assert.equal(hex(inputBytes(LINES, "hé")), hex(enc.encode("hé\n")));
  assert.equal(hex(inputBytes(LINES, new Uint8Array([1, 2]))), "1,2,10");
  assert.equal(hex(inputBytes({ kind: "bytes", delimiters: [59, 44] }, "a")), "97,59");
  assert.equal(hex(inputBytes(NUL, new Uint8Array([7]))), "7,0");
  assert.equal(hex(inputBytes(BINARY, "a\n")), "97,10");
  const raw = new Uint8Array([9, 10]);
  assert.equal(inputBytes(BINARY, raw), raw);
});

// --- property: chunk boundaries never change the result ---

/** mulberry32: a tiny seeded PRNG so failures reproduce. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The specification, written naively: split the whole buffer, then cut long messages. */
function reference(split: Split, data: Uint8Array, max: number): { out: number[][]; big: number } {
  const delims = split.kind === "lines" ? [10] : split.kind === "bytes" ? split.delimiters : [];
  const msgs: number[][] = [];
  let cur: number[] = [];
  for (const b of data) {
    if (delims.includes(b)) {
      msgs.push(cur);
      cur = [];
    } else cur.push(b);
  }
  if (cur.length > 0) msgs.push(cur);
  const out: number[][] = [];
  let big = 0;
  for (let m of msgs) {
    if (split.kind === "lines" && m.at(-1) === 13) m = m.slice(0, -1);
    if (m.length > max) big++;
    out.push(m.slice(0, max));
    for (let i = max; i < m.length; i += max) out.push(m.slice(i, i + max));
  }
  return { out, big };
}

test("random chunk boundaries give the same messages as the whole buffer", () => {
  const rand = prng(20240601);
  const alphabet = [97, 98, 10, 13, 0, 44];
  const splits: Split[] = [LINES, NUL, { kind: "bytes", delimiters: [44, 0] }];
  for (let round = 0; round < 400; round++) {
    const data = Uint8Array.from(
      { length: Math.floor(rand() * 200) },
      () => alphabet[Math.floor(rand() * alphabet.length)],
    );
    const max = 1 + Math.floor(rand() * 8);
    for (const split of splits) {
      const want = reference(split, data, max);
      let big = 0;
      const s = createSplitter(split, max, () => big++);
      const got: number[][] = [];
      for (let pos = 0; pos < data.length;) {
        const n = Math.floor(rand() * 12);
        for (const m of s.push(data.subarray(pos, pos + n))) got.push(Array.from(m));
        pos += n;
      }
      for (const m of s.end()) got.push(Array.from(m));
      const where = `round ${round}, ${JSON.stringify(split)}, max ${max}`;
      assert.deepEqual(got, want.out, where);
      assert.equal(big, want.big, where);
    }
    // Binary: boundaries are the output, so only the bytes and the piece size are checked.
    const s = createSplitter(BINARY, max);
    const got: number[] = [];
    for (let pos = 0; pos < data.length;) {
      const n = 1 + Math.floor(rand() * 12);
      for (const m of s.push(data.subarray(pos, pos + n))) {
        assert.ok(m.length >= 1 && m.length <= max);
        got.push(...m);
      }
      pos += n;
    }
    assert.deepEqual(got, Array.from(data));
  }
});
