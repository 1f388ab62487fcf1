// Keys and tokens for the auth tests, made with WebCrypto alone, and small loopback HTTP servers.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const enc = new TextEncoder();

export function b64url(bytes: Uint8Array | string): string {
  const raw = typeof bytes === "string" ? enc.encode(bytes) : bytes;
  let bin = "";
  for (const b of raw) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const SIGN: Record<string, AlgorithmIdentifier | RsaPssParams | EcdsaParams> = {
  RS256: { name: "RSASSA-PKCS1-v1_5" },
  PS256: { name: "RSA-PSS", saltLength: 32 } as RsaPssParams,
  ES256: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
  ES384: { name: "ECDSA", hash: "SHA-384" } as EcdsaParams,
  EdDSA: { name: "Ed25519" },
};

/** A signed token: `key` is an HMAC secret (HS*) or a private CryptoKey. */
export async function mint(
  payload: Record<string, unknown>,
  key: string | CryptoKey,
  header: Record<string, unknown> = { alg: "HS256", typ: "JWT" },
): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  let sig: ArrayBuffer;
  if (typeof key === "string") {
    const hash = `SHA-${String(header.alg).slice(2)}`;
    const hmac = await crypto.subtle.importKey(
      "raw",
      enc.encode(key),
      {
        name: "HMAC",
        hash,
      },
      false,
      ["sign"],
    );
    sig = await crypto.subtle.sign("HMAC", hmac, enc.encode(input));
  } else sig = await crypto.subtle.sign(SIGN[String(header.alg)], key, enc.encode(input));
  return `${input}.${b64url(new Uint8Array(sig))}`;
}

export type Kind = "RS256" | "PS256" | "ES256" | "ES384" | "EdDSA";

const GENERATE: Record<Kind, RsaHashedKeyGenParams | EcKeyGenParams | { name: string }> = {
  RS256: {
    name: "RSASSA-PKCS1-v1_5",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  },
  PS256: {
    name: "RSA-PSS",
    modulusLength: 2048,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: "SHA-256",
  },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
  ES384: { name: "ECDSA", namedCurve: "P-384" },
  EdDSA: { name: "Ed25519" },
};

export interface Pair {
  privateKey: CryptoKey;
  /** SubjectPublicKeyInfo in PEM, as --jwt-key reads it. */
  pem: string;
  jwk: JsonWebKey;
}

export async function pair(kind: Kind): Promise<Pair> {
  const keys = await crypto.subtle.generateKey(GENERATE[kind], true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const body = btoa(String.fromCharCode(...spki)).replace(/.{64}/g, "$&\n");
  const pem = `-----BEGIN PUBLIC KEY-----\n${body}\n-----END PUBLIC KEY-----\n`;
  const jwk = await crypto.subtle.exportKey("jwk", keys.publicKey);
  return { privateKey: keys.privateKey, pem, jwk };
}

/** Seconds since the epoch, as JWT time claims count. */
export const nowS = () => Math.floor(Date.now() / 1000);

export interface Loopback {
  url: string;
  /** Requests seen, in order. */
  seen: IncomingMessage[];
  close: () => Promise<void>;
}

/** An HTTP server on a free loopback port; `handle` may leave a request unanswered (a hang). */
export async function loopback(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Loopback> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    handle(req, res);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** A URL on which nothing listens: a server is started, its port read, then it is closed. */
export async function deadUrl(): Promise<string> {
  const server = await loopback(() => {});
  await server.close();
  return server.url;
}

/** Asserts a reason (or any log text) carries no part of a token or cookie. */
export function clean(text: string, secrets: string[]): boolean {
  return secrets.every((s) => {
    const parts = s.split(".").filter((p) => p.length >= 8);
    return !text.includes(s) && parts.every((p) => !text.includes(p));
  });
}

/** Runs `body` with a fresh directory for key files, removed afterwards. */
export async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "scalesocket-auth-"));
  try {
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
