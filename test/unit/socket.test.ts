// Unit tests for the socket edge: a failing websocket handler is logged, never thrown.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { guarded } from "../../src/http/socket.ts";
import { createLogger } from "../../src/log.ts";
import { makeLog } from "./fakes.ts";

describe("guarded websocket handlers", () => {
  it("a handler that throws is reported, not thrown into the socket's event loop", () => {
    const { log, lines } = makeLog();
    const onMessage = guarded(log, "message", (_data: string) => {
      throw new Error("boom");
    });
    assert.doesNotThrow(() => onMessage("hi"));
    const errors = lines.filter((l) => l.includes("websocket handler failed"));
    assert.equal(errors.length, 1, "the failure was not reported");
    assert.match(errors[0], /boom/);
  });

  it("a failure is one JSON line under --log=json", () => {
    const lines: string[] = [];
    const log = createLogger({
      format: "json",
      level: "info",
      color: false,
      write: (l) => lines.push(l),
    });
    guarded(log, "close", () => {
      throw new Error("boom");
    })();
    assert.equal(lines.length, 1, `one line expected, got ${JSON.stringify(lines)}`);
    const entry = JSON.parse(lines[0]);
    assert.match(entry.error, /boom/, "the error is a field of the JSON line");
  });

  it("handlers that return are called with their arguments", () => {
    const got: unknown[] = [];
    const { log } = makeLog();
    const onOpen = guarded(log, "open", (raw: string) => void got.push(raw));
    const onMessage = guarded(log, "message", (data: Uint8Array) => void got.push(data));
    const onClose = guarded(log, "close", (code: number, reason: string) => got.push(code, reason));
    onOpen("socket");
    onMessage(new Uint8Array([1]));
    onClose(1000, "bye");
    assert.deepEqual(got, ["socket", new Uint8Array([1]), 1000, "bye"]);
  });
});
