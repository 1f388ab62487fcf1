// Verifies a JWT with Hono's JWT utilities against the configured key, then its claims.
import type { SignatureAlgorithm } from "hono/utils/jwt/jwa";
import { decodeHeader, verify } from "hono/utils/jwt/jwt";
import { JwtHeaderInvalid, JwtTokenSignatureMismatched } from "hono/utils/jwt/types";
import { type Identity, identityFrom, type Refusal, refuse } from "./identity.ts";
import type { Jwks } from "./jwks.ts";
import type { KeysByAlg } from "./keys.ts";

/**
 * Longest token looked at. Real tokens are well under 2 KB; anything longer is refused before
 * it is decoded, so a 100 KB token costs a length check.
 */
export const MAX_TOKEN_BYTES = 8 * 1024;

/**
 * Clocks of the issuer and this server may differ by this much: a token is accepted from
 * `nbf` minus it until `exp` plus it, and a connection closes at `exp` plus it.
 */
export const CLOCK_SKEW_MS = 5_000;

/** Where keys come from: fixed at start (--jwt-secret, --jwt-key), or a key set (--jwks). */
export type KeySource = { keys: KeysByAlg } | { jwks: Jwks };

export interface Expect {
  audience: string | null;
  issuer: string | null;
}

const SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ASYMMETRIC = /^(?:[RP]S(?:256|384|512)|ES(?:256|384|512)|EdDSA)$/;

/** The identity a token vouches for, or why it does not. Never throws; no reason holds it. */
export async function verifyJwt(
  token: string,
  source: KeySource,
  expect: Expect,
  now: number = Date.now(),
): Promise<{ ok: true; identity: Identity } | Refusal> {
  if (token.length > MAX_TOKEN_BYTES) {
    return refuse(403, `token longer than ${MAX_TOKEN_BYTES} bytes`);
  }
  if (!SHAPE.test(token)) return refuse(403, "malformed token");
  let header: { alg?: unknown; kid?: unknown };
  try {
    header = decodeHeader(token) as typeof header;
  } catch {
    return refuse(403, "malformed token");
  }
  if (typeof header !== "object" || header === null) return refuse(403, "malformed token");
  const key = await keyFor(header, source);
  if ("ok" in key) return key;
  let payload: unknown;
  try {
    // Time claims are checked below, with the skew allowance Hono's checks do not have.
    payload = await verify(token, key.key, { alg: key.alg, exp: false, nbf: false, iat: false });
  } catch (e) {
    // Hono's messages quote the token: only the kind of failure is kept.
    if (e instanceof JwtTokenSignatureMismatched) return refuse(403, "bad signature");
    if (e instanceof JwtHeaderInvalid) return refuse(403, "invalid token header");
    return refuse(403, "invalid token");
  }
  return claims(payload, expect, now);
}

/** The key to check with; a token's `alg` only chooses among what the configured key allows. */
async function keyFor(
  header: { alg?: unknown; kid?: unknown },
  source: KeySource,
): Promise<{ key: CryptoKey; alg: SignatureAlgorithm } | Refusal> {
  const alg = header.alg as SignatureAlgorithm;
  let keys: KeysByAlg;
  if ("keys" in source) keys = source.keys;
  else {
    // Checked before the key set is consulted, so a forged header cannot make it refetch.
    if (typeof alg !== "string" || !ASYMMETRIC.test(alg)) {
      return refuse(403, "algorithm not allowed");
    }
    if (typeof header.kid !== "string") return refuse(403, "token has no kid");
    const found = await source.jwks.lookup(header.kid);
    if ("unavailable" in found) return refuse(503, found.unavailable);
    if ("unknown" in found) return refuse(403, "unknown key id");
    keys = found.keys;
  }
  const key = typeof alg === "string" ? keys.get(alg) : undefined;
  return key ? { key, alg } : refuse(403, "algorithm not allowed");
}

function claims(
  payload: unknown,
  expect: Expect,
  now: number,
): { ok: true; identity: Identity } | Refusal {
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return refuse(403, "malformed token");
  }
  const p = payload as Record<string, unknown>;
  for (const name of ["exp", "nbf"]) {
    if (p[name] !== undefined && !Number.isFinite(p[name])) return refuse(403, `invalid ${name}`);
  }
  const exp = p.exp as number | undefined;
  const nbf = p.nbf as number | undefined;
  if (exp !== undefined && now > exp * 1000 + CLOCK_SKEW_MS) return refuse(403, "token expired");
  if (nbf !== undefined && now < nbf * 1000 - CLOCK_SKEW_MS) {
    return refuse(403, "token not yet valid");
  }
  if (expect.audience !== null) {
    const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
    if (!aud.includes(expect.audience)) return refuse(403, "wrong audience");
  }
  if (expect.issuer !== null && p.iss !== expect.issuer) return refuse(403, "wrong issuer");
  const parts = identityFrom(
    { user: p.sub, info: p.info, rooms: p.rooms },
    { user: "sub claim", info: "info claim", rooms: "rooms claim" },
  );
  if (typeof parts === "string") return refuse(403, parts);
  const expiresAt = exp === undefined ? null : exp * 1000 + CLOCK_SKEW_MS;
  return { ok: true, identity: { ...parts, expiresAt, type: "jwt" } };
}
