// Imports a configured key once per algorithm it can verify: the key decides, never a token.
import type { SignatureAlgorithm } from "hono/utils/jwt/jwa";

/**
 * The keys a token may be checked with, by algorithm. A token whose `alg` is not here is
 * refused before any crypto, which is what stops `alg: none` and algorithm confusion (an
 * HS256 token "signed" with a public key's text can only meet an RSA or EC key).
 */
export type KeysByAlg = ReadonlyMap<SignatureAlgorithm, CryptoKey>;

const HMAC = ["HS256", "HS384", "HS512"] as const;
const ASYMMETRIC = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
] as const;

const SHA = (alg: string) => ({ name: `SHA-${alg.slice(2)}` });

/** WebCrypto's import parameters for each JWS algorithm (RFC 7518 names). */
function importParams(alg: SignatureAlgorithm): RsaHashedImportParams | EcKeyImportParams | {
  name: string;
  hash?: { name: string };
} {
  const family = alg.slice(0, 2);
  if (family === "HS") return { name: "HMAC", hash: SHA(alg) };
  if (family === "RS") return { name: "RSASSA-PKCS1-v1_5", hash: SHA(alg) };
  if (family === "PS") return { name: "RSA-PSS", hash: SHA(alg) };
  if (family === "ES") {
    return { name: "ECDSA", namedCurve: `P-${alg === "ES512" ? 521 : alg.slice(2)}` };
  }
  return { name: "Ed25519" };
}

async function importUnder(
  algs: readonly SignatureAlgorithm[],
  load: (alg: SignatureAlgorithm) => Promise<CryptoKey>,
): Promise<Map<SignatureAlgorithm, CryptoKey>> {
  const keys = new Map<SignatureAlgorithm, CryptoKey>();
  // A key imports only under the algorithms of its type (and curve): the others throw.
  for (const alg of algs) {
    try {
      keys.set(alg, await load(alg));
    } catch {
      // Not this key's algorithm.
    }
  }
  return keys;
}

/** An HMAC secret, usable with HS256, HS384 and HS512. */
export function secretKeys(secret: string): Promise<Map<SignatureAlgorithm, CryptoKey>> {
  const raw = new TextEncoder().encode(secret);
  return importUnder(
    HMAC,
    (alg) => crypto.subtle.importKey("raw", raw, importParams(alg), false, ["verify"]),
  );
}

/**
 * A PEM `PUBLIC KEY` (SubjectPublicKeyInfo): RSA (RS*, PS*), EC P-256/384/521 (ES256/384/512)
 * or Ed25519 (EdDSA). Throws a message fit to follow a colon when the text is no such key.
 */
export async function pemKeys(pem: string): Promise<Map<SignatureAlgorithm, CryptoKey>> {
  const m = /-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\s]+)-----END \1-----/.exec(pem);
  if (!m) throw new Error("expected a PEM public key (-----BEGIN PUBLIC KEY-----)");
  if (m[1] !== "PUBLIC KEY") throw new Error(`expected a PUBLIC KEY, not ${JSON.stringify(m[1])}`);
  const der = Uint8Array.from(atob(m[2].replace(/\s/g, "")), (c) => c.charCodeAt(0));
  const keys = await importUnder(
    ASYMMETRIC,
    (alg) => crypto.subtle.importKey("spki", der, importParams(alg), false, ["verify"]),
  );
  if (keys.size === 0) throw new Error("expected an RSA, EC (P-256, P-384, P-521) or Ed25519 key");
  return keys;
}

/** One key of a JWKS; an `alg` on the key limits it to that algorithm (WebCrypto checks). */
export function jwkKeys(jwk: JsonWebKey): Promise<Map<SignatureAlgorithm, CryptoKey>> {
  // Symmetric keys in a published key set would let anyone who reads it sign: never used.
  if (jwk.kty !== "RSA" && jwk.kty !== "EC" && jwk.kty !== "OKP") return Promise.resolve(new Map());
  return importUnder(
    ASYMMETRIC,
    (alg) => crypto.subtle.importKey("jwk", jwk, importParams(alg), false, ["verify"]),
  );
}
