// Unit tests of forwarded-connection signing: forged, stale, altered and wrongly keyed headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FORWARDED_HEADER,
  MAX_AGE_MS,
  SIGNATURE_HEADER,
  signForwarded,
  signingKey,
  verifyForwarded,
} from "../../src/cluster/sign.ts";

const FIELDS = {
  address: "203.0.113.9",
  port: 51234,
  url: "/lobby?name=ä&x=1",
  headers: [["user-agent", "test"], ["cookie", "a=b"], ["x-weird", "ünï"]] as [string, string][],
  identity: null,
  node: "node-b",
};
const NOW = 1_796_463_000_000;
const key = await signingKey("s3cret");

test("a signed forwarded connection verifies and yields every field", async () => {
  const headers = new Headers(await signForwarded(key, FIELDS, NOW));
  const verdict = await verifyForwarded(key, headers, NOW + 500);
  assert.deepEqual(verdict, { ok: true, forwarded: { ...FIELDS, time: NOW } });
});

test("a request without the headers is a direct client, not a forgery", async () => {
  assert.deepEqual(await verifyForwarded(key, new Headers(), NOW), {
    ok: false,
    reason: "missing",
  });
});

test("a signature made with another secret is refused as forged", async () => {
  const other = await signingKey("not-the-secret");
  const headers = new Headers(await signForwarded(other, FIELDS, NOW));
  assert.equal((await verifyForwarded(key, headers, NOW)).ok, false);
  assert.deepEqual(await verifyForwarded(key, headers, NOW), { ok: false, reason: "forged" });
});

test("any altered field breaks the signature", async () => {
  const signed = await signForwarded(key, FIELDS, NOW);
  const payload = JSON.parse(atob(signed[FORWARDED_HEADER].replace(/-/g, "+").replace(/_/g, "/")));
  const changes = [{ address: "10.0.0.1" }, { url: "/admin" }, { node: "x" }, { time: NOW + 1 }];
  for (const change of changes) {
    const altered = { ...payload, ...change };
    const forged = btoa(JSON.stringify(altered)).replace(/=+$/, "");
    const headers = new Headers({ ...signed, [FORWARDED_HEADER]: forged });
    const verdict = await verifyForwarded(key, headers, NOW);
    assert.equal(verdict.ok, false, `changing ${JSON.stringify(change)} should be detected`);
  }
});

test("a signature alone, a payload alone, or garbage in either is refused", async () => {
  const signed = await signForwarded(key, FIELDS, NOW);
  const cases: Record<string, string>[] = [
    { [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER] },
    { [FORWARDED_HEADER]: signed[FORWARDED_HEADER] },
    { ...signed, [SIGNATURE_HEADER]: "not base64!" },
    { ...signed, [SIGNATURE_HEADER]: "" },
    { ...signed, [SIGNATURE_HEADER]: signed[SIGNATURE_HEADER].slice(1) },
  ];
  for (const h of cases) {
    const verdict = await verifyForwarded(key, new Headers(h), NOW);
    assert.deepEqual(verdict, { ok: false, reason: "forged" }, `headers ${JSON.stringify(h)}`);
  }
});

test("a signature older or newer than the maximum age is stale", async () => {
  const headers = new Headers(await signForwarded(key, FIELDS, NOW));
  assert.equal((await verifyForwarded(key, headers, NOW + MAX_AGE_MS)).ok, true);
  assert.deepEqual(await verifyForwarded(key, headers, NOW + MAX_AGE_MS + 1), {
    ok: false,
    reason: "stale",
  });
  assert.deepEqual(await verifyForwarded(key, headers, NOW - MAX_AGE_MS - 1), {
    ok: false,
    reason: "stale",
  });
});

test("a validly signed payload of the wrong shape is malformed", async () => {
  const bad = { ...FIELDS, port: "80" } as unknown as typeof FIELDS;
  const headers = new Headers(await signForwarded(key, bad, NOW));
  assert.deepEqual(await verifyForwarded(key, headers, NOW), { ok: false, reason: "malformed" });
});

test("an empty secret is refused when the key is made", () => {
  assert.throws(() => signingKey(""), /secret is empty/);
});

test("a link's signature never passes as a client's, nor a client's as a link's", async () => {
  const link = new Headers(await signForwarded(key, FIELDS, NOW, "link"));
  assert.deepEqual(await verifyForwarded(key, link, NOW), { ok: false, reason: "missing" });
  assert.equal((await verifyForwarded(key, link, NOW, MAX_AGE_MS, "link")).ok, true);
  const client = await signForwarded(key, FIELDS, NOW);
  const swapped = new Headers({
    "x-scalesocket-link": client[FORWARDED_HEADER],
    "x-scalesocket-link-signature": client[SIGNATURE_HEADER],
  });
  const verdict = await verifyForwarded(key, swapped, NOW, MAX_AGE_MS, "link");
  assert.deepEqual(verdict, { ok: false, reason: "forged" }, "the contexts differ");
});
