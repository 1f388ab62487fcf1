// Property tests for withFrom: random JSON object texts, stamped, compared with a reference.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withFrom } from "../../src/codec/json.ts";
import { type Random, seeded } from "./random.ts";
import { refParse } from "./ref-json.ts";

const KEYS = [
  '"a"',
  '"b"',
  '"_from"',
  '"\\u005ffrom"',
  '"_fro\\u006d"',
  '"_to"',
  '"x y"',
  '"{"',
  '"}"',
  '"\\""',
  '"\\\\"',
  '"1"',
  '"0"',
  '""',
  '"_from_"',
  '"é"',
];
const CHARS = [
  "a",
  "Z",
  " ",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  '\\"',
  "\\\\",
  "\\/",
  "\\n",
  "\\t",
  "\\r",
  "\\b",
  "\\f",
  "\\u0000",
  "\\u005f",
  "\\uD83D\\uDE00",
  "é",
  "😀",
  "_from",
  "#ID",
  "\u2028",
];
const NUMBERS = [
  "0",
  "-0",
  "7",
  "-12",
  "0.5",
  "-0.0",
  "1e3",
  "1E+3",
  "2.5e-7",
  "1.0e400",
  "-1e-400",
  "12345678901234567890",
  "9007199254740993",
  "0.1000000000000000055511151231257827",
];

function ws(r: Random): string {
  let s = "";
  for (let n = r.int(4); n > 0; n--) s += r.pick([" ", "\t", "\r", "\n"]);
  return s;
}

function str(r: Random): string {
  let s = '"';
  for (let n = r.int(6); n > 0; n--) s += r.pick(CHARS);
  return s + '"';
}

function number(r: Random): string {
  if (r.chance(0.5)) return r.pick(NUMBERS);
  const sign = r.chance(0.3) ? "-" : "";
  const int = r.chance(0.2) ? "0" : String(1 + r.int(1e9)) + "0".repeat(r.int(15));
  const frac = r.chance(0.4) ? "." + String(r.int(1e6)).padStart(r.int(8), "0") : "";
  const exp = r.chance(0.3) ? r.pick(["e", "E"]) + r.pick(["", "+", "-"]) + r.int(400) : "";
  return sign + int + frac + exp;
}

function value(r: Random, depth: number): string {
  const kind = r.int(depth > 3 ? 4 : 6);
  if (kind === 0) return number(r);
  if (kind === 1) return str(r);
  if (kind === 2) return r.pick(["true", "false", "null"]);
  if (kind === 3) return r.chance(0.5) ? str(r) : number(r);
  if (kind === 4) {
    const items = Array.from({ length: r.int(4) }, () => ws(r) + value(r, depth + 1) + ws(r));
    return `[${items.join(",") || ws(r)}]`;
  }
  return object(r, depth + 1).text.trim();
}

/** A JSON object as text, with the text of each top-level member as written. */
function object(r: Random, depth = 0): { text: string; members: string[] } {
  const members = Array.from(
    { length: r.int(depth === 0 ? 7 : 4) },
    () => r.pick(KEYS) + ws(r) + ":" + ws(r) + value(r, depth),
  );
  const body = members.map((m) => ws(r) + m + ws(r)).join(",") || ws(r);
  return { text: `${ws(r)}{${body}}${ws(r)}`, members };
}

/** The real key of a member: decode from the opening quote to the string's closing quote. */
function memberKey(member: string): string {
  let j = 1;
  while (member[j] !== '"') j += member[j] === "\\" ? 2 : 1;
  return JSON.parse(member.slice(0, j + 1));
}

test("withFrom of a random object parses to the object with _from replaced by the id", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const r = seeded(seed);
    for (let i = 0; i < 600; i++) {
      const { text } = object(r);
      const id = 1 + r.int(1e6);
      const out = withFrom(text, id);
      const where = `seed ${seed}, case ${i}: ${JSON.stringify(text)}`;
      assert.ok(out !== null, where);
      // refParse, not JSON.parse: see ref-json.ts for the V8 bug this avoids on Deno.
      const expected = refParse(text) as Record<string, unknown>;
      delete expected._from;
      expected._from = id;
      assert.deepEqual(refParse(out), expected, where);
      // _from is the last member; whitespace before the closing brace stays where it was.
      assert.match(
        out,
        new RegExp(`"_from":${id}[ \\t\\r\\n]*}[ \\t\\r\\n]*$`),
        `_from is last: ${where}`,
      );
    }
  }
});

test("withFrom keeps every other top-level member's text unchanged and in order", () => {
  for (const seed of [11, 12, 13, 14, 15]) {
    const r = seeded(seed);
    for (let i = 0; i < 600; i++) {
      const { text, members } = object(r);
      const out = withFrom(text, 77)!;
      const where = `seed ${seed}, case ${i}: ${JSON.stringify(text)} → ${JSON.stringify(out)}`;
      let pos = 0;
      for (const m of members.filter((m) => memberKey(m) !== "_from")) {
        const at = out.indexOf(m, pos);
        assert.ok(at >= 0, `member ${JSON.stringify(m)} kept in order, ${where}`);
        pos = at + m.length;
      }
    }
  }
});

test("withFrom refuses random JSON texts that are not objects", () => {
  const r = seeded(99);
  for (let i = 0; i < 500; i++) {
    let text = value(r, 0);
    if (text.startsWith("{")) text = `[${text}]`;
    text = ws(r) + text + ws(r);
    assert.equal(withFrom(text, 1), null, JSON.stringify(text));
  }
});

test("withFrom refuses random objects cut short", () => {
  const r = seeded(7);
  for (let i = 0; i < 500; i++) {
    const text = object(r).text.trimEnd();
    const cut = text.slice(0, r.int(text.length));
    assert.equal(withFrom(cut, 1), null, JSON.stringify(cut));
  }
});
