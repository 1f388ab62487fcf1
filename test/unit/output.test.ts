// Unit tests for what the child prints: split, routed, tagged for the cache, or deframed.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Config } from "../../src/config.ts";
import { createOutput, type Delivery, type OutputSink } from "../../src/codec/output.ts";
import { encodeFrame, GW } from "../../src/codec/gwsocket.ts";
import { makeConfig } from "./fakes.ts";

const enc = new TextEncoder();

/** A sink that records what the output does, and an output writing to it. */
function setup(over: Partial<Config> = {}) {
  const got = {
    deliveries: [] as Delivery[],
    metas: [] as Record<string, unknown>[],
    closed: [] as number[],
    warnings: [] as [string, number | undefined][],
  };
  const sink: OutputSink = {
    deliver: (d) => got.deliveries.push(d),
    meta: (m) => got.metas.push(m),
    closeClient: (id) => got.closed.push(id),
    warn: (msg, bytes) => got.warnings.push([msg, bytes]),
  };
  const output = createOutput(makeConfig(over), sink);
  const print = (...chunks: (string | Uint8Array)[]) => {
    for (const c of chunks) output.push(typeof c === "string" ? enc.encode(c) : c);
  };
  return { output, print, got };
}

const JSON_FRAME = { frame: { client: "json", server: "json" } } as const;
const GW_FRAME = { frame: { client: "none", server: "gwsocket" } } as const;
const all = (msg: string | Uint8Array) => ({ msg, to: null, cache: true });

test("plain lines are broadcast, and the last unterminated line at the end", () => {
  const { output, print, got } = setup();
  print("one\ntw", "o\r\n\n", '{"_to":2,"_meta":true}\nlast');
  assert.deepEqual(got.deliveries, [
    all("one"),
    all("two"),
    all(""),
    all('{"_to":2,"_meta":true}'),
  ]);
  output.end();
  assert.deepEqual(got.deliveries.at(-1), all("last"));
  assert.deepEqual(got.metas, []);
});

test("a line that is not UTF-8 is delivered as bytes", () => {
  const { print, got } = setup();
  print(new Uint8Array([0x61, 0xff, 0x0a]));
  assert.deepEqual(got.deliveries, [all(new Uint8Array([0x61, 0xff]))]);
});

test("a line longer than --maxframesize goes out in pieces with a warning", () => {
  const { print, got } = setup({ maxFrameSize: 4 });
  print("abcdefghij\n");
  assert.deepEqual(got.deliveries.map((d) => d.msg), ["abcd", "efgh", "ij"]);
  assert.equal(got.warnings.length, 1);
});

test("in json mode _to routes a line, sent unchanged", () => {
  const { print, got } = setup(JSON_FRAME);
  print('{"_to":2,"x":1}\n{"x":2,"_to":[1,3]}\n{"_to":null}\n{"_to":[]}\n');
  assert.deepEqual(got.deliveries, [
    { msg: '{"_to":2,"x":1}', to: [2], cache: true },
    { msg: '{"x":2,"_to":[1,3]}', to: [1, 3], cache: true },
    { msg: '{"_to":null}', to: null, cache: true },
    { msg: '{"_to":[]}', to: [], cache: true },
  ]);
});

test("in json mode a _meta line goes to the room's metadata and to no client", () => {
  const { print, got } = setup(JSON_FRAME);
  print('{"_meta":true,"players":2}\n{"after":1}\n');
  assert.deepEqual(got.metas, [{ players: 2 }]);
  assert.deepEqual(got.deliveries, [all('{"after":1}')]);
});

test("in json mode lines that are not JSON objects are broadcast unchanged", () => {
  const { print, got } = setup(JSON_FRAME);
  print('hello _to\n[{"_to":1}]\n{"_to":1\n"_meta"\n');
  assert.deepEqual(got.deliveries.map((d) => [d.msg, d.to]), [
    ["hello _to", null],
    ['[{"_to":1}]', null],
    ['{"_to":1', null],
    ['"_meta"', null],
  ]);
});

test("with --cache=all every delivery is kept, whatever _cache says", () => {
  const { print, got } = setup({ ...JSON_FRAME, cache: { kind: "all", size: 5 } });
  print('a\n{"_cache":false}\n{"_cache":true,"_to":4}\n');
  assert.deepEqual(got.deliveries.map((d) => d.cache), [true, true, true]);
  assert.deepEqual(got.deliveries[2].to, [4]);
});

test('with --cache=tagged only "_cache": true lines are kept', () => {
  const { print, got } = setup({ cache: { kind: "tagged", size: 5 } });
  print('a\n{"_cache":false}\n{"_cache":true,"_to":4}\n{"_cache":"yes"}\n');
  assert.deepEqual(got.deliveries, [
    { msg: "a", to: null, cache: false },
    { msg: '{"_cache":false}', to: null, cache: false },
    // Without --json, _to is text like any other: the line goes to everyone.
    { msg: '{"_cache":true,"_to":4}', to: null, cache: true },
    { msg: '{"_cache":"yes"}', to: null, cache: false },
  ]);
});

test("with --cache=tagged and --json a tagged routed line is kept with its route", () => {
  const { print, got } = setup({ ...JSON_FRAME, cache: { kind: "tagged", size: 5 } });
  print('{"_cache":true,"_to":[4]}\n{"_to":4}\n');
  assert.deepEqual(got.deliveries, [
    { msg: '{"_cache":true,"_to":[4]}', to: [4], cache: true },
    { msg: '{"_to":4}', to: [4], cache: false },
  ]);
});

test('with --cache=tagged and no --json a "_meta" line tagged "_cache" is still kept', () => {
  // _meta means nothing without --json: the line is an ordinary delivered line.
  const { print, got } = setup({ cache: { kind: "tagged", size: 5 } });
  print('{"_meta":true,"_cache":true}\n');
  assert.deepEqual(got.deliveries, [{
    msg: '{"_meta":true,"_cache":true}',
    to: null,
    cache: true,
  }]);
  assert.deepEqual(got.metas, []);
});

test("with --binary output chunks are delivered as bytes, even when they are text", () => {
  const { output, print, got } = setup({ split: { kind: "binary" } });
  print("hello\nworld", new Uint8Array([0, 0xff]));
  output.end();
  assert.deepEqual(got.deliveries, [
    all(enc.encode("hello\nworld")),
    all(new Uint8Array([0, 0xff])),
  ]);
  assert.ok(got.deliveries.every((d) => d.msg instanceof Uint8Array));
});

test("with --binary and --cache=tagged binary chunks are not kept", () => {
  const { print, got } = setup({ split: { kind: "binary" }, cache: { kind: "tagged", size: 2 } });
  print('{"_cache":true}');
  assert.equal(got.deliveries[0].cache, false);
});

test("gwsocket frames to id 0 are broadcast and to id N go to that client only", () => {
  const { print, got } = setup(GW_FRAME);
  print(
    encodeFrame(0, GW.text, enc.encode("to all é")),
    encodeFrame(5, GW.text, enc.encode("to five")),
    encodeFrame(6, GW.binary, new Uint8Array([1, 2])),
  );
  assert.deepEqual(got.deliveries, [
    { msg: "to all é", to: null, cache: true },
    { msg: "to five", to: [5], cache: true },
    { msg: new Uint8Array([1, 2]), to: [6], cache: true },
  ]);
});

test("gwsocket output is never split on newlines", () => {
  const { print, got } = setup(GW_FRAME);
  const frame = encodeFrame(0, GW.text, enc.encode("a\nb\n"));
  print(frame.subarray(0, 13), frame.subarray(13));
  assert.deepEqual(got.deliveries.map((d) => d.msg), ["a\nb\n"]);
});

test("a gwsocket close frame from the child closes that client", () => {
  const { print, got } = setup(GW_FRAME);
  print(encodeFrame(4, GW.close, new Uint8Array(0)));
  assert.deepEqual(got.closed, [4]);
  assert.deepEqual(got.deliveries, []);
});

test("bad gwsocket frames are warned about and skipped, the rest delivered", () => {
  const { output, print, got } = setup({ ...GW_FRAME, maxFrameSize: 8 });
  const header = new Uint8Array(12);
  new DataView(header.buffer).setUint32(4, 0x42);
  print(
    header,
    encodeFrame(1, GW.text, enc.encode("far too long")),
    encodeFrame(0, GW.open, new Uint8Array(0)),
    encodeFrame(0, GW.close, new Uint8Array(0)),
    encodeFrame(2, GW.text, enc.encode("fine")),
  );
  assert.deepEqual(got.deliveries, [{ msg: "fine", to: [2], cache: true }]);
  assert.deepEqual(got.closed, []);
  assert.equal(got.warnings.length, 4, JSON.stringify(got.warnings));
  assert.match(got.warnings[0][0], /unknown type 0x42/);
  assert.match(got.warnings[1][0], /over the limit/);
  output.end();
  assert.equal(got.warnings.length, 4);
});

test("gwsocket output ending inside a frame is warned about with its bytes", () => {
  const { output, print, got } = setup(GW_FRAME);
  print(encodeFrame(1, GW.text, enc.encode("cut")).subarray(0, 13));
  output.end();
  assert.deepEqual(got.deliveries, []);
  assert.deepEqual(got.warnings, [["gwsocket output ended inside a frame", 13]]);
});

test("gwsocket text frames obey --cache=tagged, binary frames are not kept", () => {
  const { print, got } = setup({ ...GW_FRAME, cache: { kind: "tagged", size: 3 } });
  print(
    encodeFrame(0, GW.text, enc.encode('{"_cache":true}')),
    encodeFrame(0, GW.text, enc.encode("plain")),
    encodeFrame(0, GW.binary, enc.encode('{"_cache":true}')),
  );
  assert.deepEqual(got.deliveries.map((d) => d.cache), [true, false, false]);
});
