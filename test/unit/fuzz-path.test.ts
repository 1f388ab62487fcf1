// Property tests (fast-check) for what a request path, its query and its headers can make of a
// room (S2), of the child's environment and join messages (S3, S5), and of the origin check
// (S11): nothing throws, every accepted name obeys S2, no client-chosen text becomes a variable
// or a line of its own, and no look-alike origin gets in.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { roomFromPath } from "../../src/server/path.ts";
import { DEFAULT_ROOM, RESERVED, validRoomName } from "../../src/room/name.ts";
import { childEnv } from "../../src/room/env.ts";
import { expand } from "../../src/codec/template.ts";
import { originAllowed } from "../../src/server/origin.ts";

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Paths made of the pieces that matter: slashes, dots, escapes good and bad, odd text. */
const piece = fc.oneof(
  fc.constantFrom(
    "/",
    "//",
    ".",
    "..",
    "%2F",
    "%2f",
    "%2E",
    "%00",
    "%0A",
    "%0d",
    "%7F",
    "%25",
    "%",
    "%G0",
    "%C3%A9",
    "%C3",
    "%E0%A4%A",
    "%ED%A0%80", // an encoded lone surrogate
    "%F4%90%80%80", // past U+10FFFF
    "%C0%AE", // overlong "."
    "?",
    "#",
    "\\",
    " ",
    "é",
    "😀",
    "api",
    "health",
    "x".repeat(64),
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const path = fc.array(piece, { maxLength: 8 }).map((ps) => ps.join(""));

test("roomFromPath never throws; every name it accepts obeys S2", () => {
  fc.assert(
    fc.property(path, fc.boolean(), (p, slash) => {
      const raw = slash ? `/${p}` : p;
      const r = roomFromPath(raw);
      assert.ok(["room", "invalid", "other"].includes(r.kind));
      if (r.kind !== "room") return;
      const bytes = new TextEncoder().encode(r.name).length;
      assert.ok(bytes >= 1 && bytes <= 128, `${bytes} bytes`);
      assert.doesNotMatch(r.name, CONTROL);
      assert.ok(!r.name.includes("/"));
      assert.ok(r.name.isWellFormed(), "a lone surrogate in a room name");
      assert.ok(!RESERVED.has(r.name), `reserved name ${r.name}`);
      // Decoded exactly once: the first segment, percent-decoded, is the name; the root is the
      // default room.
      const segment = raw.replace(/^\//, "").replace(/\/$/, "");
      assert.equal(r.name, segment === "" ? DEFAULT_ROOM : decodeURIComponent(segment));
    }),
    { numRuns: 5000 },
  );
});

test("any valid name, percent-encoded, is that room, with or without a trailing slash", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", minLength: 1, maxLength: 40 }), (name) => {
      const encoded = `/${encodeURIComponent(name)}`;
      const want = validRoomName(name) ? { kind: "room", name } : { kind: "invalid" };
      assert.deepEqual(roomFromPath(encoded), want);
      assert.deepEqual(roomFromPath(`${encoded}/`), want);
      assert.deepEqual(roomFromPath(`${encoded}/x`), { kind: "other" });
    }),
    { numRuns: 2000 },
  );
});

const headerName = fc.oneof(
  fc.constantFrom(
    "Host",
    "Proxy",
    "proxy",
    "PATH",
    "X-Foo",
    "X_Foo",
    "Content-Type",
    "ROOM",
    "x=y",
    "a b",
    "X-Foo\nPATH",
    "",
    "İ",
    "ß",
  ),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "binary", maxLength: 4 }),
);
const headerValue = fc.oneof(
  fc.constantFrom("", "v", "a\nPATH=/evil", "a\r\nb", "a\0b", "\u001b[31m", "http://evil:1"),
  fc.string({ unit: "binary", maxLength: 10 }),
);

/** The environment of a GET /r + search with these headers, all else fixed. */
const envWith = (headers: [string, string][], search = "") =>
  childEnv({
    serverEnv: { PATH: "/usr/bin" },
    passEnv: ["PATH"],
    req: {
      method: "GET",
      url: new URL(`http://h/r${search}`),
      httpVersion: "1.1",
      headers,
      peer: { address: "127.0.0.1", port: 1 },
      tls: false,
    },
    room: "r",
    scriptName: "/",
    pathInfo: "/r",
    serverSoftware: "s",
    uniqueId: "u",
  });

test("childEnv: headers only ever add HTTP_ variables, none with NUL or a line break", () => {
  const fixed = envWith([]);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
      fc.string({ unit: "binary", maxLength: 10 }).map((q) => q.toWellFormed()),
      (headers, query) => {
        const env = envWith(headers, `?${encodeURI(query)}`);
        for (const [name, value] of Object.entries(env)) {
          assert.doesNotMatch(name, /[\0\r\n=]/, `variable name ${JSON.stringify(name)}`);
          assert.doesNotMatch(value, /[\0\r\n]/, `${name}=${JSON.stringify(value)}`);
          if (!name.startsWith("HTTP_")) {
            // Every other variable is one the server sets, with the same value as without
            // headers, except the two that come from the Host header.
            assert.ok(name in fixed, `${name} came from a header`);
            if (!["SERVER_NAME", "SERVER_PORT", "QUERY_STRING", "REQUEST_URI"].includes(name)) {
              assert.equal(value, fixed[name], `${name} changed by a header`);
            }
          } else assert.match(name, /^HTTP_[A-Z0-9_]+$/, name);
        }
        assert.equal(env.HTTP_PROXY, undefined, "httpoxy");
        assert.equal(env.PATH, "/usr/bin");
        assert.equal(env.ROOM, "r");
      },
    ),
    { numRuns: 2000 },
  );
});

test("expand: a room or query a client chose never breaks out of a JSON string or a line", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "binary", maxLength: 20 }).map((x) => x.toWellFormed()),
      fc.string({ unit: "binary", maxLength: 20 }),
      (room, text) => {
        // A raw query as a client could send it: bytes, stray "%" and quotes included.
        const query = `x=${text}&${text}`;
        const out = expand('{"r":"#ROOM","q":"#QUERY_STRING","x":"#QUERY_x","id":#ID}', {
          id: 3,
          room,
          remote: "1.2.3.4",
          query,
        });
        assert.doesNotMatch(out, CONTROL, "a control character reached the child's line");
        const o = JSON.parse(out) as Record<string, unknown>;
        assert.deepEqual(Object.keys(o), ["r", "q", "x", "id"], `injected: ${out}`);
        assert.equal(o.id, 3);
        assert.equal(decodeURIComponent(o.r as string), room, "the room comes back decoded");
      },
    ),
    { numRuns: 2000 },
  );
});

test("originAllowed never throws, and only lets in an Origin naming an allowed host", () => {
  const origin = fc.oneof(
    fc.constantFrom(
      "http://good.example",
      "https://good.example:8443",
      "http://good.example.evil",
      "http://good.example@evil",
      "http://evil#good.example",
      "null",
      "",
    ),
    fc.tuple(
      fc.constantFrom("http://", "https://", "ws://", "", "HTTP://", "file://"),
      fc.string({ maxLength: 12 }),
      fc.constantFrom("", "good.example", ":80", "@", "#", "/", "."),
    ).map(([a, b, c]) => a + b + c),
  );
  fc.assert(
    fc.property(origin, fc.option(fc.string({ maxLength: 20 })), fc.boolean(), (o, host, tls) => {
      const policy = { same: false, allow: ["good.example", "https://other.example:8443"] };
      if (!originAllowed(policy, o, host ?? undefined, tls)) return;
      const h = new URL(o).hostname.toLowerCase();
      assert.ok(h === "good.example" || h === "other.example", `${o} let in`);
      originAllowed({ same: true, allow: null }, o, host ?? undefined, tls); // never throws
    }),
    { numRuns: 2000 },
  );
});
