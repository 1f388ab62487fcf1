import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { guarded } from "../../src/runtime/http-ws.ts";

describe("guarded websocket handlers", () => {
  it("a handler that throws is reported, not thrown into the socket's event loop", () => {
    const seen: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void seen.push(args);
    try {
      const events = guarded({
        onOpen: () => {},
        onMessage: () => {
          throw new Error("boom");
        },
        onClose: () => {},
      });
      assert.doesNotThrow(() => events.onMessage("hi"));
    } finally {
      console.error = original;
    }
    assert.equal(seen.length, 1, "the failure was not reported");
    assert.match(String(seen[0][1]), /boom/);
  });

  it("handlers that return are called with their arguments", () => {
    const got: unknown[] = [];
    const events = guarded({
      onOpen: (raw) => void got.push(raw),
      onMessage: (data) => void got.push(data),
      onClose: (code, reason) => void got.push(code, reason),
    });
    events.onOpen("socket");
    events.onMessage(new Uint8Array([1]));
    events.onClose(1000, "bye");
    assert.deepEqual(got, ["socket", new Uint8Array([1]), 1000, "bye"]);
  });
});
