// What a relaying node tells the owner about the real client, and how the owner reads it back:
// the fields are signed with the cluster secret (sign.ts), so a connection that claims to be
// relayed without the secret is refused, and a relayed one is treated as the client's own.
import { decodeIdentity, encodeIdentity } from "../auth/identity.ts";
import type { AdmitRequest } from "../room/door.ts";
import { FORWARDED_HEADER, SIGNATURE_HEADER, signForwarded, verifyForwarded } from "./sign.ts";

export interface Forwarding {
  key: CryptoKey;
  nodeId: string;
}

/** req's headers as the signature checks read them: by lower-case name. */
export function headerLookup(req: AdmitRequest): { get(name: string): string | null } {
  const lookup = new Map(req.headers.map(([name, value]) => [name.toLowerCase(), value]));
  return { get: (name) => lookup.get(name) ?? null };
}

/**
 * The real client's request when req was relayed by another node; null when it was not;
 * "forged" when it carries relay headers whose signature is wrong or stale. A relayed client
 * comes with the identity the relaying node verified: it is not authenticated again here.
 */
export async function forwardedRequest(
  f: Forwarding,
  req: AdmitRequest,
): Promise<AdmitRequest | null | "forged"> {
  const verdict = await verifyForwarded(f.key, headerLookup(req));
  if (verdict.ok) {
    const fw = verdict.forwarded;
    const identity = fw.identity === null ? null : decodeIdentity(fw.identity);
    if (fw.identity !== null && identity === null) return "forged";
    return {
      url: new URL(fw.url, req.url).toString(),
      method: req.method,
      headers: fw.headers.map(([name, value]) => [name, value]),
      peer: { address: fw.address, port: fw.port },
      tls: req.tls,
      identity,
    };
  }
  return verdict.reason === "missing" ? null : "forged";
}

/**
 * The headers of the relayed handshake: the signed fields, and the client's Origin and Host,
 * so the owner's --origin and --sameorigin checks see what this node saw.
 */
export async function signedHeaders(
  f: Forwarding,
  req: AdmitRequest,
): Promise<Record<string, string>> {
  const url = new URL(req.url);
  const headers = req.headers
    .map(([name, value]): [string, string] => [name.toLowerCase(), value])
    // Our own relay headers never travel on: a client cannot smuggle a second signature.
    .filter(([name]) => name !== FORWARDED_HEADER && name !== SIGNATURE_HEADER);
  const signed = await signForwarded(f.key, {
    address: req.peer.address,
    port: req.peer.port,
    url: url.pathname + url.search,
    headers,
    identity: req.identity ? encodeIdentity(req.identity) : null,
    node: f.nodeId,
  });
  const out: Record<string, string> = { ...signed };
  for (const [name, value] of headers) {
    if (name === "origin") out.Origin = value;
    if (name === "host") out.Host = value;
  }
  return out;
}
