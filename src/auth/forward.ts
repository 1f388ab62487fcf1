// Asks the application's own auth endpoint (--auth URL) whether a client may join, as proxies do.
import { boundedFetch, type Fetch } from "./fetch.ts";
import { type Identity, identityFrom, type Refusal, refuse } from "./identity.ts";

/** Largest answer read from the endpoint; an identity needs a few hundred bytes. */
export const MAX_ANSWER_BYTES = 64 * 1024;

export interface Endpoint {
  url: string;
  timeoutMs: number;
  fetch?: Fetch;
}

/** What the endpoint is told about the request, beyond the request's own credentials. */
export interface Client {
  /** The client's IP address. */
  remote: string;
  /** The room asked for; null for a page or API request. */
  room: string | null;
  /** A token found in a `bearer.` subprotocol offer, sent on as Authorization when none is. */
  offeredToken?: string | null;
}

/**
 * The headers nginx's auth_request and Traefik's ForwardAuth conventions give an endpoint:
 * the credentials (Cookie, Authorization) and where the request was going (X-Forwarded-*).
 */
export function endpointHeaders(request: Request, client: Client): Headers {
  const url = new URL(request.url);
  const headers = new Headers({ accept: "application/json" });
  const cookie = request.headers.get("cookie");
  if (cookie !== null) headers.set("cookie", cookie);
  const authorization = request.headers.get("authorization") ??
    (client.offeredToken ? `Bearer ${client.offeredToken}` : null);
  if (authorization !== null) headers.set("authorization", authorization);
  // Behind a proxy the chain grows by this hop, as nginx's $proxy_add_x_forwarded_for does.
  const before = request.headers.get("x-forwarded-for");
  headers.set("x-forwarded-for", before ? `${before}, ${client.remote}` : client.remote);
  headers.set("x-forwarded-proto", url.protocol === "https:" ? "https" : "http");
  headers.set("x-forwarded-host", request.headers.get("host") ?? url.host);
  headers.set("x-forwarded-uri", url.pathname + url.search);
  headers.set("x-original-uri", url.pathname + url.search);
  headers.set("x-forwarded-method", request.method);
  if (client.room !== null) headers.set("x-scalesocket-room", encodeURIComponent(client.room));
  return headers;
}

/**
 * 2xx admits (with an optional JSON object `{"user", "info", "rooms"}`), 401 and 403 are
 * passed on, anything else is 503: the endpoint failing never lets a client in.
 */
export async function askEndpoint(
  endpoint: Endpoint,
  request: Request,
  client: Client,
): Promise<{ ok: true; identity: Identity } | Refusal> {
  const got = await boundedFetch(endpoint.fetch ?? fetch, endpoint.url, {
    method: "GET",
    headers: endpointHeaders(request, client),
  }, { timeoutMs: endpoint.timeoutMs, maxBytes: MAX_ANSWER_BYTES });
  if ("failed" in got) return refuse(503, `auth endpoint ${got.failed}`);
  const { status } = got;
  if (status === 401) {
    const challenge = got.headers.get("www-authenticate");
    const headers = challenge ? { "WWW-Authenticate": challenge } : undefined;
    return refuse(401, "refused by the auth endpoint", headers);
  }
  if (status === 403) return refuse(403, "refused by the auth endpoint");
  if (status >= 300 && status < 400) return refuse(503, `auth endpoint redirected (${status})`);
  if (status < 200 || status >= 300) return refuse(503, `auth endpoint answered ${status}`);
  return admitted(got.body, got.headers);
}

/** Proxies that already know the user name it in a header; a JSON body wins over it. */
const USER_HEADERS = ["remote-user", "x-auth-request-user", "x-forwarded-user"];

function admitted(body: string, headers: Headers): { ok: true; identity: Identity } | Refusal {
  let answer: Record<string, unknown> = {};
  if (body.trim() !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return refuse(503, "auth endpoint answered with a body that is not JSON");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return refuse(503, "auth endpoint answered with JSON that is not an object");
    }
    answer = parsed as Record<string, unknown>;
  }
  const fromHeader = USER_HEADERS.map((h) => headers.get(h)).find((v) => v) ?? undefined;
  const parts = identityFrom(
    { user: answer.user ?? fromHeader, info: answer.info, rooms: answer.rooms },
    {
      user: "user from the auth endpoint",
      info: "info from the auth endpoint",
      rooms: "rooms from the auth endpoint",
    },
  );
  if (typeof parts === "string") return refuse(503, parts);
  return { ok: true, identity: { ...parts, expiresAt: null, type: "auth" } };
}
