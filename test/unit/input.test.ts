// Unit tests for what reaches the child's stdin: plain lines, JSON framing, gwsocket frames.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createInput, type Encoded, type Sender } from "../../src/codec/input.ts";
import { encodeFrame, GW } from "../../src/codec/gwsocket.ts";
import { makeConfig } from "./fakes.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const ann: Sender = { id: 3, remote: "10.0.0.9", query: "name=ann" };

const text = (e: Encoded) => {
  assert.ok("bytes" in e, `expected bytes, got ${JSON.stringify(e)}`);
  return dec.decode(e.bytes);
};
const plain = () => createInput(makeConfig(), "lobby");
const json = (over = {}) =>
  createInput(makeConfig({ frame: { client: "json", server: "json" }, ...over }), "lobby");
const gw = () => createInput(makeConfig({ frame: { client: "gwsocket", server: "none" } }), "r");

test("in lines mode a message reaches the child with a newline appended", () => {
  const input = plain();
  assert.equal(text(input.message(ann, "hello")), "hello\n");
  assert.equal(text(input.message(ann, "")), "\n");
  assert.equal(text(input.message(ann, enc.encode("bytes"))), "bytes\n");
  assert.equal(text(input.message(ann, '{"_from":1}')), '{"_from":1}\n');
});

test("with --null a message ends with NUL, and --binary writes it raw", () => {
  const nul = createInput(makeConfig({ split: { kind: "bytes", delimiters: [0] } }), "r");
  assert.equal(text(nul.message(ann, "a\nb")), "a\nb\0");
  const binary = createInput(makeConfig({ split: { kind: "binary" } }), "r");
  const e = binary.message(ann, new Uint8Array([1, 2, 0xff]));
  assert.ok("bytes" in e);
  assert.deepEqual([...e.bytes], [1, 2, 0xff]);
  assert.equal(text(binary.message(ann, "raw")), "raw");
});

test("without join or leave messages nothing is announced", () => {
  const input = plain();
  assert.equal(input.join(ann), null);
  assert.equal(input.leave(ann), null);
});

test("join and leave messages are expanded templates ending in a newline", () => {
  const input = createInput(
    makeConfig({ joinMsg: "in #ID #ROOM #REMOTE_ADDR #QUERY_name", leaveMsg: "out #ID" }),
    "the room",
  );
  assert.equal(dec.decode(input.join(ann)!), "in 3 the%20room 10.0.0.9 ann\n");
  assert.equal(dec.decode(input.leave(ann)!), "out 3\n");
});

test("--json announces joins and leaves as JSON objects from the client", () => {
  const input = json({
    joinMsg: '{"t":"Join","_from":#ID}',
    leaveMsg: '{"t":"Leave","_from":#ID}',
  });
  assert.equal(dec.decode(input.join(ann)!), '{"t":"Join","_from":3}\n');
  assert.equal(dec.decode(input.leave(ann)!), '{"t":"Leave","_from":3}\n');
});

test("in json mode a client's object gets _from and keeps everything else", () => {
  const input = json();
  assert.equal(
    text(input.message(ann, '{"n":12345678901234567890}')),
    '{"n":12345678901234567890,"_from":3}\n',
  );
  assert.equal(text(input.message(ann, '{"_from":1,"a":1}')), '{"a":1,"_from":3}\n');
  assert.equal(text(input.message(ann, enc.encode('{"b":"é"}'))), '{"b":"é","_from":3}\n');
});

test("in json mode raw CR and LF between tokens are flattened to one line", () => {
  const input = json();
  const out = text(input.message(ann, '{\r\n"a":\n1,\r"s":"x\\ny"\n}\n'));
  // Inner line breaks become spaces, the trailing one goes; the rest of the text is kept.
  assert.equal(out, '{ "a": 1, "s":"x\\ny","_from":3 }\n');
  assert.equal(out.indexOf("\n"), out.length - 1);
  assert.equal(out.includes("\r"), false);
  assert.deepEqual(JSON.parse(out), { a: 1, s: "x\ny", _from: 3 });
});

test("in json mode a message that is not an object is dropped, the client kept", () => {
  const input = json();
  for (const msg of ["[1]", '"x"', "12", "null", "hello", "{", ""]) {
    assert.deepEqual(input.message(ann, msg), { drop: "not a JSON object" }, msg);
  }
  assert.deepEqual(input.message(ann, enc.encode("[]")), { drop: "not a JSON object" });
});

test("in json mode a binary message that is not UTF-8 is dropped", () => {
  const input = json();
  const bad = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
  assert.deepEqual(input.message(ann, bad), { drop: "not UTF-8" });
  assert.deepEqual(input.message(ann, new Uint8Array([0xc3])), { drop: "not UTF-8" });
});

test("in gwsocket mode a text message is a text frame with the sender's id", () => {
  const e = gw().message(ann, "hé");
  assert.ok("bytes" in e);
  assert.deepEqual(e.bytes, encodeFrame(3, GW.text, enc.encode("hé")));
  assert.deepEqual([...e.bytes.subarray(0, 12)], [0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 3]);
});

test("in gwsocket mode a binary message is a binary frame, never newline-terminated", () => {
  const e = gw().message(ann, new Uint8Array([0, 10, 255]));
  assert.ok("bytes" in e);
  assert.deepEqual(e.bytes, encodeFrame(3, GW.binary, new Uint8Array([0, 10, 255])));
});

test("in gwsocket mode a join is an open frame carrying the IP and a leave a close frame", () => {
  const input = gw();
  assert.deepEqual(input.join(ann), encodeFrame(3, GW.open, enc.encode("10.0.0.9")));
  assert.deepEqual(input.leave(ann), encodeFrame(3, GW.close, new Uint8Array(0)));
});
