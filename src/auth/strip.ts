// The request as the program sees it once the server has checked its credentials: without them.
import { parse as parseCookies } from "hono/utils/cookie";
import { paramName, PROTOCOL_PREFIX, QUERY_PARAM } from "./token.ts";

/**
 * The url and headers without what authenticated the client: the Authorization header, the
 * `token` query parameter, `bearer.` subprotocol offers and the --jwt-cookie cookie. The
 * program learns who the client is from REMOTE_USER; a token it could read would let it (or
 * anything it logs to) act as the client. Other cookies and offers are kept.
 */
export function withoutCredentials(
  url: string,
  headers: [string, string][],
  cookie: string | null,
): { url: string; headers: [string, string][] } {
  const kept: [string, string][] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (lower === "authorization") continue;
    const left = lower === "sec-websocket-protocol"
      ? withoutBearerOffers(value)
      : lower === "cookie" && cookie !== null
      ? withoutCookie(value, cookie)
      : value;
    if (left !== "") kept.push([name, left]);
  }
  return { url: withoutQueryToken(url), headers: kept };
}

function withoutBearerOffers(value: string): string {
  return value.split(",").map((p) => p.trim())
    .filter((p) => p !== "" && !p.toLowerCase().startsWith(PROTOCOL_PREFIX))
    .join(", ");
}

/** The Cookie header without the named cookie (compared as the token reader decodes names). */
function withoutCookie(value: string, name: string): string {
  return value.split(";").map((p) => p.trim())
    .filter((p) => p !== "" && !(name in parseCookies(p, name)))
    .join("; ");
}

/** The URL without its `token` parameters (however the name is encoded); the rest as sent. */
function withoutQueryToken(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const hash = url.indexOf("#", q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const pairs = query.split("&").filter((pair) => paramName(pair) !== QUERY_PARAM);
  const rest = pairs.length > 0 ? `?${pairs.join("&")}` : "";
  return url.slice(0, q) + rest + (hash === -1 ? "" : url.slice(hash));
}
