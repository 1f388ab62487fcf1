// Where a token is looked for, in which order, and which subprotocol is answered instead of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { findToken, withoutToken } from "../../src/auth/token.ts";

function request(headers: Record<string, string> = {}, query = ""): Request {
  return new Request(`http://h:9000/lobby${query}`, { headers });
}

const ALL = {
  authorization: "Bearer from-header",
  cookie: "other=1; jwt=from-cookie",
  "sec-websocket-protocol": "chat, bearer.from-protocol",
};

test("the header wins, then the cookie, then ?token=, then the subprotocol offer", () => {
  const q = "?token=from-query";
  assert.deepEqual(findToken(request(ALL, q), "jwt"), {
    token: "from-header",
    source: "header",
    protocol: "chat",
  });
  const { authorization: _, ...noHeader } = ALL;
  assert.equal(findToken(request(noHeader, q), "jwt").token, "from-cookie");
  assert.equal(findToken(request(noHeader, q), null).token, "from-query", "no --jwt-cookie");
  const { cookie: __, ...protocolOnly } = noHeader;
  assert.equal(findToken(request(protocolOnly, q), "jwt").token, "from-query");
  assert.deepEqual(findToken(request(protocolOnly), "jwt"), {
    token: "from-protocol",
    source: "protocol",
    protocol: "chat",
  });
  assert.deepEqual(findToken(request(), "jwt"), { token: null, source: null, protocol: null });
});

test("a bearer offer is never the answered protocol; the other offer is, if there is one", () => {
  const only = findToken(request({ "sec-websocket-protocol": "bearer.abc" }), null);
  assert.deepEqual(only, { token: "abc", source: "protocol", protocol: null });
  const first = findToken(request({ "sec-websocket-protocol": "Bearer.abc,v2.chat , v1" }), null);
  assert.deepEqual(first, { token: "abc", source: "protocol", protocol: "v2.chat" });
  const header = findToken(
    request({ authorization: "Bearer h", "sec-websocket-protocol": "bearer.x" }),
    null,
  );
  assert.equal(
    header.protocol,
    null,
    "a bearer offer was answered though the token came elsewhere",
  );
});

test("other schemes, empty values and malformed headers count as no token", () => {
  const cases: Record<string, string>[] = [
    { authorization: "Basic YWRhOnB3" },
    { authorization: "Bearer" },
    { authorization: "Bearer " },
    { authorization: "Bearer a b" },
    { cookie: "jwt=" },
    { cookie: "notjwt=abc" },
    { "sec-websocket-protocol": "bearer." },
  ];
  for (const headers of cases) {
    assert.equal(findToken(request(headers), "jwt").token, null, JSON.stringify(headers));
  }
  assert.equal(findToken(request({}, "?token="), null).token, null);
  assert.equal(findToken(request({ authorization: "bearer\tlower" }), null).token, "lower");
});

test("the token's value is masked in a query string meant for logs", () => {
  assert.equal(withoutToken("room=a&token=abc.def&x=1"), "room=a&token=***&x=1");
  assert.equal(withoutToken("tokens=1&x"), "tokens=1&x");
  assert.equal(
    withoutToken("%74oken=abc&%zz=1"),
    "token=***&%zz=1",
    "an encoded name is found too",
  );
  assert.equal(withoutToken(""), "");
});
