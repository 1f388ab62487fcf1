// Signs what a relaying node knows about the real client, so the owner can trust it and no
// one outside the cluster can pose as a relay (HMAC-SHA256 with the cluster secret).

/** What the owner needs to treat a relayed connection as the client's own. */
export interface Forwarded {
  /** The real client's address and port, as the relaying node's socket saw them. */
  readonly address: string;
  readonly port: number;
  /** Path and query the client asked for. */
  readonly url: string;
  /** The client's request headers, names in lower case, in the order received. */
  readonly headers: readonly (readonly [string, string])[];
  /** Who the relaying node verified the client to be (encodeIdentity); null: no one. */
  readonly identity: string | null;
  /** The relaying node's id. */
  readonly node: string;
  /** Wall-clock milliseconds when it was signed. */
  readonly time: number;
}

export const FORWARDED_HEADER = "x-scalesocket-forwarded";
export const SIGNATURE_HEADER = "x-scalesocket-signature";
/** The same fields for a link's handshake (link.ts): they name the node, not a client. */
export const LINK_HEADER = "x-scalesocket-link";
export const LINK_SIGNATURE_HEADER = "x-scalesocket-link-signature";
/** Signatures older (or newer: clocks differ between machines) than this are refused. */
export const MAX_AGE_MS = 10_000;

// Binds a signature to its use and format, so a MAC made for something else never passes: a
// link's handshake cannot pass as a client's, nor the other way round.
const KINDS = {
  forwarded: {
    context: "scalesocket-forwarded-v1\n",
    payload: FORWARDED_HEADER,
    mac: SIGNATURE_HEADER,
  },
  link: { context: "scalesocket-link-v1\n", payload: LINK_HEADER, mac: LINK_SIGNATURE_HEADER },
};
export type SignedKind = keyof typeof KINDS;
const encoder = new TextEncoder();

export function signingKey(secret: string): Promise<CryptoKey> {
  if (secret === "") throw new Error("Cannot sign forwarded connections: the secret is empty");
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** The two request headers that carry fields to the owner, signed. */
export async function signForwarded(
  key: CryptoKey,
  fields: Omit<Forwarded, "time">,
  now = Date.now(),
  kind: SignedKind = "forwarded",
): Promise<Record<string, string>> {
  const k = KINDS[kind];
  const payload = toBase64Url(encoder.encode(JSON.stringify({ ...fields, time: now })));
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(k.context + payload));
  return { [k.payload]: payload, [k.mac]: toBase64Url(new Uint8Array(mac)) };
}

export type Verdict =
  | { readonly ok: true; readonly forwarded: Forwarded }
  | { readonly ok: false; readonly reason: "missing" | "forged" | "stale" | "malformed" };

/**
 * Checks a relayed request's headers. "missing" means no relay header at all (a direct
 * client); any other refusal should be answered with 403 before the upgrade.
 */
export async function verifyForwarded(
  key: CryptoKey,
  headers: { get(name: string): string | null },
  now = Date.now(),
  maxAgeMs = MAX_AGE_MS,
  kind: SignedKind = "forwarded",
): Promise<Verdict> {
  const k = KINDS[kind];
  const payload = headers.get(k.payload);
  const signature = headers.get(k.mac);
  if (payload === null && signature === null) return { ok: false, reason: "missing" };
  const mac = signature === null ? null : fromBase64Url(signature);
  if (payload === null || mac === null) return { ok: false, reason: "forged" };
  // WebCrypto's verify compares in constant time, so timing tells nothing about the MAC.
  const valid = await crypto.subtle.verify("HMAC", key, mac, encoder.encode(k.context + payload));
  if (!valid) return { ok: false, reason: "forged" };
  const forwarded = parseFields(payload);
  if (!forwarded) return { ok: false, reason: "malformed" };
  if (Math.abs(now - forwarded.time) > maxAgeMs) return { ok: false, reason: "stale" };
  return { ok: true, forwarded };
}

function parseFields(payload: string): Forwarded | null {
  const bytes = fromBase64Url(payload);
  if (!bytes) return null;
  let f: Record<string, unknown>;
  try {
    f = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  const isPair = (h: unknown) =>
    Array.isArray(h) && h.length === 2 && typeof h[0] === "string" && typeof h[1] === "string";
  const valid = typeof f === "object" && f !== null &&
    typeof f.address === "string" && Number.isInteger(f.port) &&
    typeof f.url === "string" && f.url.startsWith("/") &&
    Array.isArray(f.headers) && f.headers.every(isPair) &&
    (f.identity === null || typeof f.identity === "string") &&
    typeof f.node === "string" && Number.isFinite(f.time);
  if (!valid) return null;
  const { address, port, url, headers, identity, node, time } = f as unknown as Forwarded;
  return { address, port, url, headers, identity, node, time };
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}
