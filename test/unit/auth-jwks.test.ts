// --jwks against loopback servers: keys by kid, bounded refetches, 503 when the set is unreachable.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Jwks, REFRESH_MS, RETRY_MS } from "../../src/auth/jwks.ts";
import { verifyJwt } from "../../src/auth/jwt.ts";
import { clean, deadUrl, inTempDir, loopback, mint, pair } from "./auth-fixtures.ts";

const NONE = { audience: null, issuer: null };
const read = (path: string) => readFile(path, "utf8");

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

test("a token is checked with the key its kid names, fetched once for many tokens", async () => {
  const a = await pair("RS256");
  const b = await pair("ES256");
  const set = { keys: [{ ...a.jwk, kid: "a" }, { ...b.jwk, kid: "b", use: "sig" }] };
  const server = await loopback((_, res) => res.end(JSON.stringify(set)));
  try {
    const jwks = new Jwks({ url: `${server.url}/jwks`, readFile: read });
    for (
      const [kid, keys, alg] of [["a", a, "RS256"], ["b", b, "ES256"], ["a", a, "RS256"]] as const
    ) {
      const token = await mint({ sub: kid }, keys.privateKey, { alg, kid });
      const verdict = await verifyJwt(token, { jwks }, NONE);
      assert.ok(verdict.ok, `${kid}: ${JSON.stringify(verdict)}`);
      assert.equal(verdict.identity.user, kid);
    }
    // b's key signs for a's kid: the kid chooses the key, an RSA one, which refuses ES256.
    const swapped = await mint({ sub: "eve" }, b.privateKey, { alg: "ES256", kid: "a" });
    const verdict = await verifyJwt(swapped, { jwks }, NONE);
    assert.equal(verdict.ok ? "admitted" : verdict.reason, "algorithm not allowed");
    assert.equal(server.seen.length, 1, "the key set was fetched more than once");
  } finally {
    await server.close();
  }
});

test("an unknown kid refetches at most once a minute, then admits a rotated key", async () => {
  const old = await pair("RS256");
  const rotated = await pair("RS256");
  let keys = [{ ...old.jwk, kid: "old" }];
  const server = await loopback((_, res) => res.end(JSON.stringify({ keys })));
  const time = clock();
  try {
    const jwks = new Jwks({ url: server.url, readFile: read, now: time.now });
    assert.equal(await jwks.refresh(), null);
    const token = await mint({ sub: "ada" }, rotated.privateKey, { alg: "RS256", kid: "new" });
    keys = [{ ...rotated.jwk, kid: "new" }];
    const first = await verifyJwt(token, { jwks }, NONE);
    assert.equal(first.ok ? "admitted" : first.reason, "unknown key id");
    assert.equal(server.seen.length, 1, "an unknown kid refetched within the minute");
    time.advance(REFRESH_MS);
    const second = await verifyJwt(token, { jwks }, NONE);
    assert.ok(second.ok, JSON.stringify(second));
    assert.equal(server.seen.length, 2);
  } finally {
    await server.close();
  }
});

test("a token whose alg or kid cannot match never makes the key set refetch", async () => {
  const server = await loopback((_, res) => res.end('{"keys":[]}'));
  try {
    const jwks = new Jwks({ url: server.url, readFile: read });
    const hs = await mint({ sub: "eve" }, "0123456789abcdef-jwt", { alg: "HS256", kid: "x" });
    const v1 = await verifyJwt(hs, { jwks }, NONE);
    assert.equal(v1.ok ? "admitted" : v1.reason, "algorithm not allowed");
    const k = await pair("ES256");
    const noKid = await mint({ sub: "eve" }, k.privateKey, { alg: "ES256" });
    const v2 = await verifyJwt(noKid, { jwks }, NONE);
    assert.equal(v2.ok ? "admitted" : v2.reason, "token has no kid");
    assert.equal(server.seen.length, 0);
  } finally {
    await server.close();
  }
});

/** A token for kid "k" refused with 503 and a reason naming the JWKS, not the token. */
async function unavailable(jwks: Jwks): Promise<string> {
  const k = await pair("ES256");
  const token = await mint({ sub: "ada" }, k.privateKey, { alg: "ES256", kid: "k" });
  const verdict = await verifyJwt(token, { jwks }, NONE);
  if (verdict.ok) assert.fail("admitted without a key set");
  assert.equal(verdict.status, 503);
  assert.ok(clean(verdict.reason, [token]));
  return verdict.reason;
}

test("a JWKS endpoint that is down, slow or answers garbage gives 503, fail closed", async () => {
  const limits = { timeoutMs: 200, maxBytes: 4096 };
  const down = new Jwks({ url: await deadUrl(), readFile: read, limits });
  assert.match(await unavailable(down), /^JWKS could not be reached/);
  const slow = await loopback(() => {});
  const garbage = await loopback((req, res) => {
    if (req.url === "/html") return res.end("<html>");
    if (req.url === "/huge") return res.end(JSON.stringify({ keys: [], pad: "x".repeat(10000) }));
    if (req.url === "/500") return void res.writeHead(500).end();
    res.end('{"keys":"no"}');
  });
  try {
    // The answering servers get a long timeout: on a loaded machine a loopback answer can take
    // longer than the 200 ms the silent one is given, and the test would then see a timeout.
    const patient = { ...limits, timeoutMs: 30_000 };
    const at = (path: string, url = garbage.url) =>
      new Jwks({ url: url + path, readFile: read, limits: url === slow.url ? limits : patient });
    assert.equal(await unavailable(at("", slow.url)), "JWKS did not answer within 200 ms");
    assert.equal(await unavailable(at("/html")), "JWKS is not JSON");
    assert.equal(await unavailable(at("/obj")), 'JWKS has no "keys" array');
    assert.equal(await unavailable(at("/huge")), "JWKS sent a body larger than 4096 bytes");
    assert.equal(await unavailable(at("/500")), "JWKS endpoint answered 500");
  } finally {
    await slow.close();
    await garbage.close();
  }
});

test("after a failed fetch the next try waits a few seconds, and a recovered set admits", async () => {
  let up = false;
  const k = await pair("EdDSA");
  const server = await loopback((_, res) => {
    if (!up) return void res.writeHead(503).end();
    res.end(JSON.stringify({ keys: [{ ...k.jwk, kid: "k" }] }));
  });
  const time = clock();
  try {
    const jwks = new Jwks({ url: server.url, readFile: read, now: time.now });
    const token = await mint({ sub: "ada" }, k.privateKey, { alg: "EdDSA", kid: "k" });
    assert.equal(
      (await jwks.lookup("k") as { unavailable: string }).unavailable,
      "JWKS endpoint answered 503",
    );
    up = true;
    assert.ok("unavailable" in await jwks.lookup("k"), "retried before the retry delay");
    assert.equal(server.seen.length, 1);
    time.advance(RETRY_MS);
    assert.ok((await verifyJwt(token, { jwks }, NONE)).ok);
  } finally {
    await server.close();
  }
});

test("a key set is read from a file the same way", async () => {
  await inTempDir(async (dir) => {
    const k = await pair("ES256");
    const file = join(dir, "jwks.json");
    await writeFile(file, JSON.stringify({ keys: [{ ...k.jwk, kid: "f" }] }));
    const jwks = new Jwks({ file, readFile: read });
    const token = await mint({ sub: "ada" }, k.privateKey, { alg: "ES256", kid: "f" });
    assert.ok((await verifyJwt(token, { jwks }, NONE)).ok);
    const missing = new Jwks({ file: `${file}.missing`, readFile: read });
    assert.equal(await missing.refresh(), "JWKS file could not be read");
  });
});
