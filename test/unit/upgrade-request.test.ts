// The Request an upgrade is routed by, and the header pairs admission takes from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { toRequest } from "../../src/http/serve.ts";

/** What node:http hands over: lower-case names, repeated ones joined or kept as a list. */
function incoming(headers: Record<string, string | string[]>): IncomingMessage {
  return { url: "/lobby?x=1", method: "GET", headers, socket: {} } as unknown as IncomingMessage;
}

test("the pairs are the Request's own headers, in the order its Headers lists them", () => {
  const made = toRequest(
    incoming({
      "user-agent": "test",
      "host": "127.0.0.1:9000",
      "upgrade": "websocket",
      "connection": "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13",
      "x-forwarded-for": "10.0.0.1, 10.0.0.2",
      "set-cookie": ["a=1", "b=2"],
      "cookie": "s=1; t=2",
      "origin": "http://127.0.0.1:9000",
    }),
    true,
  );
  assert.ok(made, "a well-formed upgrade makes a Request");
  const [request, pairs] = made;
  assert.deepEqual(pairs, [...request.headers]);
  assert.equal(request.url, "http://127.0.0.1:9000/lobby?x=1");
});

test("an upgrade that is not a websocket loses Upgrade and Connection in both", () => {
  const made = toRequest(
    incoming({ host: "h", upgrade: "h2c", connection: "Upgrade, HTTP2-Settings", accept: "*/*" }),
    false,
  );
  assert.ok(made);
  const [request, pairs] = made;
  assert.deepEqual(pairs, [...request.headers]);
  assert.deepEqual(pairs.map(([name]) => name), ["accept", "host"]);
});
