// JWT verification: each key type admits its own tokens; every bad token is refused with a reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Refusal } from "../../src/auth/identity.ts";
import { CLOCK_SKEW_MS, type Expect, type KeySource, verifyJwt } from "../../src/auth/jwt.ts";
import { pemKeys, secretKeys } from "../../src/auth/keys.ts";
import { b64url, clean, type Kind, mint, nowS, pair } from "./auth-fixtures.ts";

const SECRET = "0123456789abcdef-jwt-secret";
const NONE: Expect = { audience: null, issuer: null };

async function secretSource(secret = SECRET): Promise<KeySource> {
  return { keys: await secretKeys(secret) };
}

/** The refusal for `token`, checked to be a 403 whose reason does not quote the token. */
async function refused(token: string, source: KeySource, expect = NONE): Promise<Refusal> {
  const verdict = await verifyJwt(token, source, expect);
  if (verdict.ok) assert.fail(`expected a refusal, got ${JSON.stringify(verdict)}`);
  assert.ok(clean(verdict.reason + verdict.text, [token]), "the token leaked into the reason");
  return verdict;
}

test("an HS256, HS384 or HS512 token signed with the secret admits its sub", async () => {
  const source = await secretSource();
  for (const alg of ["HS256", "HS384", "HS512"]) {
    const token = await mint({ sub: "ada", info: { team: "red" } }, SECRET, { alg, typ: "JWT" });
    const verdict = await verifyJwt(token, source, NONE);
    assert.deepEqual(verdict, {
      ok: true,
      identity: { user: "ada", info: { team: "red" }, rooms: null, expiresAt: null, type: "jwt" },
    }, alg);
  }
});

test("a PEM public key admits tokens of its own type: RSA, RSA-PSS, EC and Ed25519", async () => {
  const cases: [Kind, string][] = [
    ["RS256", "RS256"],
    ["PS256", "PS256"],
    ["ES256", "ES256"],
    ["ES384", "ES384"],
    ["EdDSA", "EdDSA"],
  ];
  for (const [kind, alg] of cases) {
    const keys = await pair(kind);
    const token = await mint({ sub: "ada" }, keys.privateKey, { alg });
    const verdict = await verifyJwt(token, { keys: await pemKeys(keys.pem) }, NONE);
    assert.ok(verdict.ok, `${alg}: ${JSON.stringify(verdict)}`);
  }
});

test("alg none is refused, with or without a signature part", async () => {
  const source = await secretSource();
  const unsigned = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url('{"sub":"eve"}')}.`;
  assert.equal((await refused(unsigned, source)).reason, "algorithm not allowed");
  const pem = await pair("RS256");
  assert.equal(
    (await refused(unsigned, { keys: await pemKeys(pem.pem) })).reason,
    "algorithm not allowed",
  );
  const withSig = `${unsigned}${b64url("x")}`;
  assert.equal((await refused(withSig, source)).reason, "algorithm not allowed");
});

test("an HS256 token signed with the RSA key's PEM text as secret is refused (algorithm confusion)", async () => {
  const rsa = await pair("RS256");
  const forged = await mint({ sub: "eve" }, rsa.pem, { alg: "HS256", typ: "JWT" });
  const verdict = await refused(forged, { keys: await pemKeys(rsa.pem) });
  assert.equal(verdict.status, 403);
  assert.equal(verdict.reason, "algorithm not allowed");
});

test("a wrong signature, a truncated token and bad base64 are refused", async () => {
  const source = await secretSource();
  const good = await mint({ sub: "ada" }, SECRET);
  const other = await mint({ sub: "ada" }, "another-secret-of-enough-length");
  assert.equal((await refused(other, source)).reason, "bad signature");
  const [h, p, s] = good.split(".");
  assert.equal((await refused(`${h}.${p}.${s.slice(0, -4)}`, source)).reason, "bad signature");
  assert.equal((await refused(`${h}.${p}`, source)).reason, "malformed token");
  assert.equal((await refused(good.slice(0, 20), source)).reason, "malformed token");
  assert.equal((await refused(`${h}.${p}!.${s}`, source)).reason, "malformed token");
  assert.equal((await refused(`${h}.%%%.${s}`, source)).reason, "malformed token");
  assert.equal(
    (await refused(`${b64url("{not json")}.${p}.${s}`, source)).reason,
    "malformed token",
  );
  const tampered = `${h}.${b64url('{"sub":"root"}')}.${s}`;
  assert.equal((await refused(tampered, source)).reason, "bad signature");
});

test("a 100 KB token is refused on its length, before any key is consulted", async () => {
  let consulted = 0;
  const spy: KeySource = {
    jwks: {
      lookup: () => {
        consulted++;
        return Promise.resolve({ unknown: true as const });
      },
    } as unknown as KeySource extends { jwks: infer J } ? J : never,
  };
  const header = b64url('{"alg":"RS256","kid":"k"}');
  const huge = `${header}.${"A".repeat(100 * 1024)}.sig`;
  assert.equal((await refused(huge, spy)).reason, "token longer than 8192 bytes");
  assert.equal(consulted, 0, "the key set was consulted for an oversized token");
});

test("exp and nbf are enforced with the documented skew", async () => {
  const source = await secretSource();
  const skew = CLOCK_SKEW_MS / 1000;
  const expired = await mint({ sub: "ada", exp: nowS() - skew - 5 }, SECRET);
  assert.equal((await refused(expired, source)).reason, "token expired");
  const early = await mint({ sub: "ada", nbf: nowS() + skew + 5 }, SECRET);
  assert.equal((await refused(early, source)).reason, "token not yet valid");
  const bad = await mint({ sub: "ada", exp: "tomorrow" }, SECRET);
  assert.equal((await refused(bad, source)).reason, "invalid exp");
  // Within the skew both ways: admitted, and the expiry the server keeps includes the skew.
  const exp = nowS() - 1;
  const late = await mint({ sub: "ada", exp, nbf: nowS() + 1 }, SECRET);
  const verdict = await verifyJwt(late, source, NONE);
  assert.ok(verdict.ok, JSON.stringify(verdict));
  assert.equal(verdict.identity.expiresAt, exp * 1000 + CLOCK_SKEW_MS);
});

test("a wrong aud or iss is refused; a matching one, in a list too, admits", async () => {
  const source = await secretSource();
  const expect = { audience: "chat", issuer: "https://id.example" };
  const good = await mint({ sub: "a", aud: ["other", "chat"], iss: "https://id.example" }, SECRET);
  assert.ok((await verifyJwt(good, source, expect)).ok);
  const aud = await mint({ sub: "a", aud: "other", iss: "https://id.example" }, SECRET);
  assert.equal((await refused(aud, source, expect)).reason, "wrong audience");
  const noAud = await mint({ sub: "a", iss: "https://id.example" }, SECRET);
  assert.equal((await refused(noAud, source, expect)).reason, "wrong audience");
  const iss = await mint({ sub: "a", aud: "chat", iss: "https://evil.example" }, SECRET);
  assert.equal((await refused(iss, source, expect)).reason, "wrong issuer");
});

test("claims of the wrong shape are refused rather than passed to the program", async () => {
  const source = await secretSource();
  const cases: [Record<string, unknown>, string][] = [
    [{ sub: 42 }, "invalid sub claim"],
    [{ sub: "line\nbreak" }, "invalid sub claim"],
    [{ sub: "x".repeat(300) }, "invalid sub claim"],
    [{ sub: "a", info: [1, 2] }, "invalid info claim"],
    [{ sub: "a", rooms: [1] }, "invalid rooms claim"],
    [{ sub: "a", rooms: { a: 1 } }, "invalid rooms claim"],
  ];
  for (const [payload, reason] of cases) {
    assert.equal((await refused(await mint(payload, SECRET), source)).reason, reason, reason);
  }
  const array = await mint([1] as unknown as Record<string, unknown>, SECRET);
  assert.equal((await refused(array, source)).reason, "malformed token");
  const noSub = await verifyJwt(await mint({ rooms: "game-*" }, SECRET), source, NONE);
  assert.ok(noSub.ok);
  assert.deepEqual(noSub.identity.rooms, ["game-*"], "a bare pattern is a list of one");
  assert.equal(noSub.identity.user, null);
});
