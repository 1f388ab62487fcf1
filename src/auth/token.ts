// Finds a client's token in an upgrade request, and the subprotocol to answer with instead of it.
import { parse as parseCookies } from "hono/utils/cookie";

export type TokenSource = "header" | "cookie" | "query" | "protocol";

export interface Found {
  /** The token as sent; null when the request carries none. */
  token: string | null;
  source: TokenSource | null;
  /**
   * The subprotocol to answer the handshake with: the first one offered that is not a
   * `bearer.` offer, or null. A token is never answered back, which would put it in logs.
   */
  protocol: string | null;
}

/** Browsers cannot set headers on a websocket; this prefix carries a token in the offer. */
export const PROTOCOL_PREFIX = "bearer.";

/** The query parameter a token may come in. */
export const QUERY_PARAM = "token";

/**
 * In order: `Authorization: Bearer`, the cookie `cookie` (when given), `?token=`, then a
 * `bearer.<token>` subprotocol offer. The first found wins; an empty one counts as absent.
 */
export function findToken(request: Request, cookie: string | null): Found {
  const offers = (request.headers.get("sec-websocket-protocol") ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  const protocol = answerProtocol(offers);
  const candidates: [TokenSource, string | null | undefined][] = [
    ["header", bearer(request.headers.get("authorization"))],
    ["cookie", cookie === null ? null : cookieValue(request.headers.get("cookie"), cookie)],
    ["query", queryToken(request.url)],
    ["protocol", offers.find(isBearerOffer)?.slice(PROTOCOL_PREFIX.length)],
  ];
  for (const [source, token] of candidates) {
    if (token) return { token, source, protocol };
  }
  return { token: null, source: null, protocol };
}

/** The subprotocol to answer an offer with: the first that is not a `bearer.` one, or null. */
export function answerProtocol(offers: Iterable<string>): string | null {
  for (const p of offers) if (!isBearerOffer(p)) return p;
  return null;
}

function isBearerOffer(protocol: string): boolean {
  return protocol.toLowerCase().startsWith(PROTOCOL_PREFIX);
}

/** The credentials of a Bearer authorization (the scheme is case-insensitive); else null. */
function bearer(header: string | null): string | null {
  const m = header === null ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m ? m[1] : null;
}

function cookieValue(header: string | null, name: string): string | null {
  if (header === null) return null;
  return parseCookies(header, name)[name] ?? null;
}

function queryToken(url: string): string | null {
  try {
    return new URL(url).searchParams.get(QUERY_PARAM);
  } catch {
    return null;
  }
}

/** A query string (without `?`) with the token's value masked, for logs and access lines. */
export function withoutToken(query: string): string {
  return query
    .split("&")
    .map((pair) => (paramName(pair) === QUERY_PARAM ? `${QUERY_PARAM}=***` : pair))
    .join("&");
}

/** The decoded name of one `name=value` pair, as URLSearchParams reads it (`%74oken` too). */
export function paramName(pair: string): string {
  const raw = pair.split("=")[0].replace(/\+/g, " ");
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
