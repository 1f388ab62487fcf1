// Unit tests of what authentication changes downstream: the child's request, joins, templates,
// and the identity a relaying node signs for the room's owner.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withoutCredentials } from "../../src/auth/strip.ts";
import type { Identity } from "../../src/auth/identity.ts";
import { withFrom, withIdentity } from "../../src/codec/json.ts";
import { expand } from "../../src/codec/template.ts";
import { forwardedRequest, signedHeaders } from "../../src/cluster/forward.ts";
import { FORWARDED_HEADER, signForwarded, signingKey } from "../../src/cluster/sign.ts";
import type { AdmitRequest } from "../../src/room/door.ts";
import { LocalRegistry } from "../../src/room/registry.ts";
import { NO_STATS } from "../../src/room/stats.ts";
import { FakeRuntime, makeConfig, makeLog } from "./fakes.ts";

const ADA: Identity = {
  user: "ada",
  info: { team: "red" },
  rooms: ["lab-*"],
  expiresAt: 1_900_000_000_000,
  type: "jwt",
};

test("the child's request keeps no credential but keeps everything else", () => {
  const { url, headers } = withoutCredentials(
    "http://h/lab?a=1&token=T&%74oken=U&b=2#f",
    [
      ["Authorization", "Bearer T"],
      ["Cookie", "theme=dark; sess=T; x=1"],
      ["Sec-WebSocket-Protocol", "bearer.T, chat"],
      ["X-Other", "v"],
    ],
    "sess",
  );
  assert.equal(url, "http://h/lab?a=1&b=2#f");
  assert.deepEqual(headers, [
    ["Cookie", "theme=dark; x=1"],
    ["Sec-WebSocket-Protocol", "chat"],
    ["X-Other", "v"],
  ]);
});

test("a header left empty is dropped, and a query of only the token goes entirely", () => {
  const { url, headers } = withoutCredentials("http://h/r?token=T", [
    ["sec-websocket-protocol", "bearer.T"],
    ["cookie", "sess=T"],
  ], "sess");
  assert.equal(url, "http://h/r");
  assert.deepEqual(headers, []);
});

test("a client's _user and _info are removed like _from", () => {
  assert.equal(
    withFrom('{"_user":"mallory","t":"x","_info":{"a":1},"_from":9}', 2),
    '{"t":"x","_from":2}',
  );
});

test("a join gets _user and _info after _from; none when there is no user", () => {
  const join = '{"t":"Join","_from":3}';
  assert.equal(
    withIdentity(join, "ada", { team: "red" }),
    '{"t":"Join","_from":3,"_user":"ada","_info":{"team":"red"}}',
  );
  assert.equal(withIdentity(join, "ada", null), '{"t":"Join","_from":3,"_user":"ada"}');
  assert.equal(withIdentity(join, null, null), join);
  assert.equal(withIdentity("not json", "ada", null), "not json");
});

test("#USER is the verified user, percent-encoded, and empty without one", () => {
  const vars = { id: 1, room: "r", remote: "::1", query: "" };
  assert.equal(expand("hi #USER!", { ...vars, user: 'a"b\nc' }), "hi a%22b%0Ac!");
  assert.equal(expand("hi #USER!", vars), "hi !");
});

const request = (identity: Identity | null): AdmitRequest => ({
  url: "http://node-a/lab-1?x=1",
  method: "GET",
  headers: [["host", "node-a"], ["origin", "http://app"]],
  peer: { address: "203.0.113.9", port: 5000 },
  tls: false,
  identity,
});

test("the identity a relaying node verified reaches the owner unchanged", async () => {
  const f = { key: await signingKey("s3cret"), nodeId: "node-a" };
  const headers = Object.entries(await signedHeaders(f, request(ADA)));
  const relayed = { ...request(null), url: "http://node-b/lab-1?x=1", headers };
  const real = await forwardedRequest(f, relayed);
  assert.ok(real !== null && real !== "forged", "the relay verifies");
  assert.deepEqual(real.identity, ADA);
});

test("a relay cannot invent an identity: a forged or malformed one is refused", async () => {
  const key = await signingKey("s3cret");
  const base = { address: "1.2.3.4", port: 1, url: "/r", headers: [], node: "x" };
  const bad = await signForwarded(key, { ...base, identity: '{"user":1,"type":"jwt"}' });
  const asked = (h: Record<string, string>) => ({ ...request(null), headers: Object.entries(h) });
  assert.equal(await forwardedRequest({ key, nodeId: "b" }, asked(bad)), "forged");
  const other = await signingKey("not-the-secret");
  const forged = await signForwarded(other, { ...base, identity: JSON.stringify(ADA) });
  assert.equal(await forwardedRequest({ key, nodeId: "b" }, asked(forged)), "forged");
  assert.ok(FORWARDED_HEADER in forged);
});

test("a client the door does not authorize holds no room and starts no child", async () => {
  const registry = new LocalRegistry(makeConfig(), new FakeRuntime(), makeLog().log, NO_STATS, {
    route: (path) =>
      Promise.resolve({
        name: path.slice(1),
        solo: false,
        envRoom: path.slice(1),
        scriptName: "/",
        pathInfo: path,
      }),
  });
  const asked: (string | null)[] = [];
  const verdict = await registry.admit({
    ...request(null),
    authorize: (room) => {
      asked.push(room);
      return Promise.resolve({ status: 401, reason: "unauthorized", text: "Unauthorized" });
    },
  });
  assert.deepEqual(asked, ["lab-1"], "asked once, with the routed room");
  assert.equal("status" in verdict && verdict.status, 401);
  assert.equal(registry.live, 0, "no room was opened");
});
