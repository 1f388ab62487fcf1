// Unit tests for the logger: text and JSON lines, level filtering, context, colour.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, type LogOptions } from "../../src/log.ts";

const TIME = "2024-05-06T07:08:09.010Z";
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[/;
/** An SGR colour code, as the level's prefix. */
// deno-lint-ignore no-control-regex
const SGR = /\x1b\[[0-9;]+m/;
/** Time, the level wrapped in a colour and a reset, then the message. */
// deno-lint-ignore no-control-regex
const COLOURED = /^\S+ \x1b\[[0-9;]+m[A-Z]+ *\x1b\[0m m\n$/;

function capture(opts: Partial<LogOptions> = {}) {
  const lines: string[] = [];
  const log = createLogger({
    format: "text",
    level: "info",
    color: false,
    write: (line) => lines.push(line),
    now: () => new Date(TIME),
    ...opts,
  });
  return { log, lines };
}

test("a text line is time, padded level, message and key=value fields", () => {
  const { log, lines } = capture();
  log.info("process started", { room: "lobby", pid: 123, ok: true });
  log.warn("slow");
  log.error("boom", { n: 0 });
  assert.deepEqual(lines, [
    `${TIME} INFO  process started room=lobby pid=123 ok=true\n`,
    `${TIME} WARN  slow\n`,
    `${TIME} ERROR boom n=0\n`,
  ]);
});

test("text values a reader could not split are quoted", () => {
  const { log, lines } = capture();
  log.info("m", {
    spaced: "a b",
    empty: "",
    quote: 'say "hi"',
    eq: "a=b",
    tab: "a\tb",
    plain: "a-b_c.d/e:f",
    nil: null,
  });
  assert.equal(
    lines[0],
    `${TIME} INFO  m spaced="a b" empty="" quote="say \\"hi\\"" eq="a=b" tab="a\\tb"` +
      ` plain=a-b_c.d/e:f nil=null\n`,
  );
});

test("text lines leave out undefined fields", () => {
  const { log, lines } = capture();
  log.info("m", { a: undefined, b: 1 });
  assert.equal(lines[0], `${TIME} INFO  m b=1\n`);
});

test("a JSON line has time, level, msg and the fields as keys", () => {
  const { log, lines } = capture({ format: "json" });
  log.info("process exited", { room: "a b", code: 3, ok: false, nil: null, gone: undefined });
  assert.ok(lines[0].endsWith("\n"));
  assert.equal(lines[0].trimEnd().includes("\n"), false, "one line");
  const obj = JSON.parse(lines[0]);
  assert.deepEqual(obj, {
    time: TIME,
    level: "info",
    msg: "process exited",
    room: "a b",
    code: 3,
    ok: false,
    nil: null,
  });
  assert.equal("gone" in obj, false);
  assert.deepEqual(Object.keys(obj).slice(0, 3), ["time", "level", "msg"]);
});

test("a JSON message with newlines stays one line", () => {
  const { log, lines } = capture({ format: "json" });
  log.error("line one\nline two", { detail: "x\ny" });
  assert.equal(lines[0].split("\n").length, 2);
  assert.equal(JSON.parse(lines[0]).msg, "line one\nline two");
});

test("info hides debug and trace", () => {
  const { log, lines } = capture({ level: "info" });
  log.trace("t");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assert.deepEqual(lines.map((l) => l.trimEnd().split(" ").at(-1)), ["i", "w", "e"]);
  assert.equal(log.enabled("debug"), false);
  assert.equal(log.enabled("trace"), false);
  assert.equal(log.enabled("info"), true);
  assert.equal(log.enabled("error"), true);
});

test("trace shows every level", () => {
  const { log, lines } = capture({ level: "trace" });
  log.trace("t");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assert.deepEqual(lines.map((l) => l.split(" ")[1]), ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"]);
  assert.equal(log.enabled("trace"), true);
});

test("error shows only errors", () => {
  const { log, lines } = capture({ level: "error" });
  log.warn("w");
  log.error("e");
  assert.equal(lines.length, 1);
  assert.match(lines[0], / ERROR e\n$/);
});

test("with() adds context to every line, and call fields win", () => {
  const { log, lines } = capture();
  const room = log.with({ room: "lobby" });
  const client = room.with({ id: 7 });
  client.info("joined");
  room.info("msg", { room: "other", x: 1 });
  log.info("plain");
  assert.deepEqual(lines, [
    `${TIME} INFO  joined room=lobby id=7\n`,
    `${TIME} INFO  msg room=other x=1\n`,
    `${TIME} INFO  plain\n`,
  ]);
});

test("with() keeps the level of its parent", () => {
  const { log, lines } = capture({ level: "warn" });
  const child = log.with({ room: "r" });
  child.info("hidden");
  child.warn("shown");
  assert.equal(child.enabled("info"), false);
  assert.deepEqual(lines, [`${TIME} WARN  shown room=r\n`]);
});

test("with() context appears as JSON keys", () => {
  const { log, lines } = capture({ format: "json" });
  log.with({ room: "lobby", pid: 9 }).warn("w", { id: 1 });
  assert.deepEqual(JSON.parse(lines[0]), {
    time: TIME,
    level: "warn",
    msg: "w",
    room: "lobby",
    pid: 9,
    id: 1,
  });
});

test("no ANSI escapes without colour", () => {
  const { log, lines } = capture({ color: false, level: "trace" });
  for (const level of ["error", "warn", "info", "debug", "trace"] as const) log[level]("m");
  for (const line of lines) assert.doesNotMatch(line, ANSI);
});

test("colour wraps the level in escapes and resets after it", () => {
  const { log, lines } = capture({ color: true, level: "trace" });
  for (const level of ["error", "warn", "info", "debug", "trace"] as const) log[level]("m");
  for (const line of lines) {
    assert.match(line, ANSI);
    assert.match(line, COLOURED);
  }
  // Levels can be told apart by colour.
  assert.equal(new Set(lines.map((l) => SGR.exec(l)![0])).size, 5);
});

test("JSON lines carry no escapes even with colour on", () => {
  const { log, lines } = capture({ format: "json", color: true });
  log.info("m", { a: 1 });
  assert.doesNotMatch(lines[0], ANSI);
});

test("the clock is read once per line, at write time", () => {
  let t = Date.parse(TIME);
  const { log, lines } = capture({ now: () => new Date(t) });
  log.info("a");
  t += 1500;
  log.info("b");
  assert.equal(lines[0].split(" ")[0], TIME);
  assert.equal(lines[1].split(" ")[0], "2024-05-06T07:08:10.510Z");
});
