// Unit tests for room names and for telling a room path from other paths (S2).
import { test } from "node:test";
import assert from "node:assert/strict";
import { roomFromPath } from "../../src/server/path.ts";
import { DEFAULT_ROOM, RESERVED, validRoomName, wellFormedRoomName } from "../../src/room/name.ts";

const room = (name: string) => ({ kind: "room", name });
const INVALID = { kind: "invalid" };
const OTHER = { kind: "other" };

test("the first segment is the room, with or without a trailing slash", () => {
  assert.deepEqual(roomFromPath("/lobby"), room("lobby"));
  assert.deepEqual(roomFromPath("/lobby/"), room("lobby"));
});

test("longer paths are not rooms", () => {
  assert.deepEqual(roomFromPath("/a/b"), OTHER);
  assert.deepEqual(roomFromPath("/a/b/"), OTHER);
  assert.deepEqual(roomFromPath("/lobby//"), OTHER);
  assert.deepEqual(roomFromPath("//"), OTHER);
});

test("the root is the default room, where websocketd's pages connect", () => {
  assert.deepEqual(roomFromPath("/"), room(DEFAULT_ROOM));
  assert.equal(DEFAULT_ROOM, "default", "the name README.md and docs/decisions.md give");
});

test("the name is percent-decoded exactly once", () => {
  assert.deepEqual(roomFromPath("/%2541"), room("%41"));
  assert.deepEqual(roomFromPath("/%41"), room("A"));
  assert.deepEqual(roomFromPath("/caf%C3%A9"), room("café"));
  assert.deepEqual(roomFromPath("/a%20b/"), room("a b"));
});

test("a malformed percent-encoding is an invalid room", () => {
  assert.deepEqual(roomFromPath("/%E0%A4%A"), INVALID);
  assert.deepEqual(roomFromPath("/%"), INVALID);
  assert.deepEqual(roomFromPath("/%zz"), INVALID);
  // Well-formed escapes that are not UTF-8: a lone continuation byte, an overlong "/".
  assert.deepEqual(roomFromPath("/%80"), INVALID);
  assert.deepEqual(roomFromPath("/%C0%AF"), INVALID);
});

test("control characters are refused", () => {
  for (const esc of ["%00", "%0A", "%0D", "%1F", "%7F", "a%09b"]) {
    assert.deepEqual(roomFromPath(`/${esc}`), INVALID, esc);
  }
  assert.equal(wellFormedRoomName("a\u0000"), false);
  assert.equal(wellFormedRoomName("a\u007f"), false);
  // C1 controls and DEL's neighbours are not in S2's list.
  assert.equal(wellFormedRoomName("a\u0080"), true);
  assert.equal(wellFormedRoomName("~"), true);
});

test("an encoded slash is refused, not treated as a second segment", () => {
  assert.deepEqual(roomFromPath("/%2F"), INVALID);
  assert.deepEqual(roomFromPath("/a%2Fb"), INVALID);
  assert.deepEqual(roomFromPath("/a%2fb/"), INVALID);
});

test("names may be 128 bytes of UTF-8, not 129", () => {
  const ascii128 = "a".repeat(128);
  assert.deepEqual(roomFromPath(`/${ascii128}`), room(ascii128));
  assert.deepEqual(roomFromPath(`/${ascii128}a`), INVALID);

  // "é" is 2 bytes and "€" 3: the limit counts bytes, not characters.
  const two128 = "é".repeat(64);
  assert.deepEqual(roomFromPath(`/${encodeURIComponent(two128)}`), room(two128));
  assert.deepEqual(roomFromPath(`/${encodeURIComponent(two128 + "a")}`), INVALID);
  const three129 = "€".repeat(43);
  assert.equal(three129.length, 43);
  assert.deepEqual(roomFromPath(`/${encodeURIComponent(three129)}`), INVALID);
  const three126 = "€".repeat(42);
  assert.deepEqual(roomFromPath(`/${encodeURIComponent(three126 + "ab")}`), room(three126 + "ab"));
  assert.deepEqual(roomFromPath(`/${encodeURIComponent(three126 + "abc")}`), INVALID);

  assert.equal(wellFormedRoomName(""), false);
  assert.equal(wellFormedRoomName("x"), true);
});

test("reserved first segments are never rooms", () => {
  const names = [
    "api",
    "health",
    "metrics",
    "ready",
    "static",
    "upload",
    "robots.txt",
    "favicon.ico",
  ];
  assert.deepEqual([...RESERVED].sort(), [...names].sort());
  for (const name of names) {
    assert.deepEqual(roomFromPath(`/${name}`), INVALID, name);
    assert.deepEqual(roomFromPath(`/${name}/`), INVALID, `${name}/`);
    assert.equal(validRoomName(name), false, name);
    // Reserved names are still well-formed: --rooms validation tells the two apart.
    assert.equal(wellFormedRoomName(name), true, name);
  }
});

test("reserved names are matched exactly", () => {
  assert.deepEqual(roomFromPath("/API"), room("API"));
  assert.deepEqual(roomFromPath("/apis"), room("apis"));
  assert.deepEqual(roomFromPath("/%61pi"), INVALID);
});

test("spaces, punctuation and non-ASCII are fine", () => {
  for (const name of ["a b", "hello, world!", "#1 (test)", "日本語", "👋", "ß-é.ü", "~_-.+"]) {
    assert.deepEqual(roomFromPath(`/${encodeURIComponent(name)}`), room(name), name);
    assert.equal(validRoomName(name), true, name);
  }
  // Sub-delimiters that a client may send unencoded.
  assert.deepEqual(roomFromPath("/a!$&'()*+,;=:@b"), room("a!$&'()*+,;=:@b"));
});
