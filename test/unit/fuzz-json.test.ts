// Property tests (fast-check) for --json framing (S5): withFrom stamps the sender's id over any
// `_from` a client writes, however spelled, and keeps every other member's bytes; routing and
// readJson take any text without throwing.
//
// Objects are compared through readJson (src/codec/json.ts) and refParse, never JSON.parse's
// object path: V8 can decode an escaped key wrongly after an earlier parse (readJson's comment,
// nodejs/node#63785), which would make these tests fail for the engine's fault, not ours.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { isJsonObject, readJson, routing, withFrom } from "../../src/codec/json.ts";
import { refParse, topLevelKeys } from "./ref-json.ts";

/** A JSON string literal for s, each character written plainly or escaped, as chosen. */
function literal(s: string, escapes: boolean[]): string {
  let out = '"';
  let i = 0;
  for (const ch of s) {
    const escape = escapes.length > 0 && escapes[i++ % escapes.length];
    const code = ch.codePointAt(0)!;
    if (escape || ch === '"' || ch === "\\" || code < 0x20) {
      if (code > 0xffff) {
        // A character outside the BMP: its UTF-16 pair, each half escaped.
        out += [...ch.split("")].map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`)
          .join("");
      } else if (escape && ch === "/") out += "\\/";
      else out += `\\u${code.toString(16).padStart(4, "0")}`;
    } else out += ch;
  }
  return out + '"';
}

const ws = fc.constantFrom("", " ", "\n", "\t", "\r\n ", "  ");
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("_from", "_fro", "_from_", "a", "__proto__", "_to", "") },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) },
);
/** One member as text: key (maybe escaped), whitespace, colon, a JSON value. */
const member = fc.record({
  key,
  escapes: fc.array(fc.boolean(), { maxLength: 4 }),
  value: fc.jsonValue({ maxDepth: 2 }),
  ws: fc.tuple(ws, ws, ws, ws),
}).map(({ key, escapes, value, ws: [a, b, c, d] }) => ({
  key,
  text: `${literal(key, escapes)}${b}:${c}${JSON.stringify(value)}`,
  around: [a, d] as const,
}));
const object = fc.record({ members: fc.array(member, { maxLength: 6 }), ws: fc.tuple(ws, ws, ws) })
  .map(({ members, ws: [a, b, c] }) => ({
    members,
    text: `${a}{${members.map((m) => m.around[0] + m.text + m.around[1]).join(",") || b}}${c}`,
  }));

test("withFrom: the result reads as the client's object, _from replaced by the id, last", () => {
  fc.assert(
    fc.property(object, fc.integer({ min: 1, max: 2 ** 53 - 1 }), ({ text }, id) => {
      const out = withFrom(text, id);
      assert.ok(out !== null, `refused ${JSON.stringify(text)}`);
      const expected = readJson(text) as Record<string, unknown>;
      delete expected._from;
      Object.defineProperty(expected, "_from", {
        value: id,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      const got = readJson(out) as Record<string, unknown>;
      assert.deepEqual(got, expected);
      assert.deepEqual(Object.keys(got), Object.keys(expected), "key order");
      // Exactly one top-level _from: a parser keeping the first duplicate or the last agrees.
      assert.deepEqual(topLevelKeys(out).filter((k) => k === "_from"), ["_from"], out);
    }),
    { numRuns: 2000 },
  );
});

test("withFrom keeps every other member's text byte for byte, in order", () => {
  fc.assert(
    fc.property(object, fc.integer({ min: 1, max: 1e9 }), ({ text, members }, id) => {
      const out = withFrom(text, id)!;
      let pos = 0;
      for (const m of members.filter((m) => m.key !== "_from")) {
        const at = out.indexOf(m.text, pos);
        assert.ok(at >= 0, `${JSON.stringify(m.text)} kept in order in ${JSON.stringify(out)}`);
        pos = at + m.text.length;
      }
    }),
    { numRuns: 2000 },
  );
});

test("withFrom refuses every JSON text that is not an object, and every non-JSON text", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue().filter((v) => v === null || typeof v !== "object" || Array.isArray(v))
          .map((v) => JSON.stringify(v)),
        fc.string({ unit: "binary", maxLength: 20 }),
        object.chain(({ text }) =>
          fc.nat({ max: Math.max(0, text.trimEnd().length - 1) }).map((n) =>
            text.trimEnd().slice(0, n)
          )
        ),
      ),
      (text) => {
        if (isJsonObject(text)) return; // a random string may be an object: covered above
        assert.equal(withFrom(text, 1), null, JSON.stringify(text));
      },
    ),
    { numRuns: 2000 },
  );
});

test("readJson reads any JSON text as refParse does (keys in order, numbers as numbers)", () => {
  fc.assert(
    fc.property(
      fc.json().filter((t) => !t.includes("__proto__")), // refParse assigns it as a prototype
      (text) => assert.deepEqual(readJson(text), refParse(text)),
    ),
    { numRuns: 1000 },
  );
});

test("routing takes any line without throwing, and reads _to as JSON.parse would", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 30 }),
        fc.record({
          _to: fc.oneof(fc.integer(), fc.array(fc.oneof(fc.integer(), fc.string())), fc.string()),
          x: fc.jsonValue({ maxDepth: 1 }),
        }).map((o) => JSON.stringify(o)),
        fc.record({ _meta: fc.boolean(), _cache: fc.boolean(), m: fc.string() }).map((o) =>
          JSON.stringify(o)
        ),
      ),
      (line) => {
        const r = routing(line);
        let obj: Record<string, unknown> | null = null;
        try {
          const v = JSON.parse(line);
          if (v !== null && typeof v === "object" && !Array.isArray(v)) obj = v;
        } catch {
          // not JSON: broadcast, nothing else
        }
        if (obj === null) return assert.deepEqual(r, { to: null, meta: null, cache: false });
        if (obj._meta === true) return assert.ok(r.meta !== null && !("_meta" in r.meta));
        const to = obj._to;
        const want = typeof to === "number"
          ? [to]
          : Array.isArray(to)
          ? to.filter((x) => typeof x === "number")
          : null;
        assert.deepEqual(r.to, want);
        assert.equal(r.cache, obj._cache === true);
      },
    ),
    { numRuns: 1000 },
  );
});
