import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { WSContext } from "hono/ws";
import { guarded } from "../../src/runtime/http-ws.ts";

describe("guarded websocket handlers", () => {
  it("a handler that throws is reported, not thrown into the socket's event loop", () => {
    const seen: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => void seen.push(args);
    try {
      const events = guarded({
        onMessage: () => {
          throw new Error("boom");
        },
      });
      assert.doesNotThrow(() => events.onMessage!({} as MessageEvent, {} as WSContext));
    } finally {
      console.error = original;
    }
    assert.equal(seen.length, 1, "the failure was not reported");
    assert.match(String(seen[0][1]), /boom/);
  });

  it("handlers that return run with their arguments, and missing ones stay missing", () => {
    const got: string[] = [];
    const events = guarded({ onClose: (e) => void got.push(e.type) });
    events.onClose!({ type: "close" } as CloseEvent, {} as WSContext);
    assert.deepEqual(got, ["close"]);
    assert.equal(events.onOpen, undefined);
  });
});
