// Authentication as the app uses it: the door's authorize step for websockets, the guard of
// the plain pages, and the metrics label and log line of a refusal.
import type { Context, MiddlewareHandler } from "hono";
import type { Authenticator } from "../auth/authenticate.ts";
import { authGuard } from "../auth/guard.ts";
import type { Refusal as AuthRefusal } from "../auth/identity.ts";
import { withoutCredentials } from "../auth/strip.ts";
import type { AuthConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { AdmitRequest, Authorize, Refusal } from "../room/door.ts";

/** The metrics label of each refusal status. */
const REASONS = { 401: "unauthorized", 403: "forbidden", 503: "auth_unavailable" } as const;

export interface AuthDeps {
  auth: Authenticator;
  config: AuthConfig;
  log: Logger;
}

/** A websocket request for the door: verified there once routed, without its credentials. */
export function authRequest(d: AuthDeps, c: Context, req: AdmitRequest): AdmitRequest {
  const remote = req.peer.address;
  const raw = c.req.raw;
  const authorize: Authorize = async (room) => {
    const verdict = await d.auth.authenticate(raw, { remote, room });
    if (verdict.ok) return verdict.identity;
    d.log.info(`connection refused: ${verdict.reason}`, { room, remote, status: verdict.status });
    return toRefusal(verdict);
  };
  return { ...req, ...withoutCredentials(req.url, req.headers, d.config.cookie), authorize };
}

function toRefusal(v: AuthRefusal): Refusal {
  const r: Refusal = { status: v.status, reason: REASONS[v.status], text: v.text };
  return v.headers ? { ...r, headers: v.headers } : r;
}

/** What guards --api, --metrics and the lobby page: the same credentials, or null with --public-api. */
export function pageGuard(
  d: AuthDeps,
  remote: (c: Context) => string,
): MiddlewareHandler | null {
  if (d.config.publicApi) return null;
  return authGuard(d.auth, remote, (reason, status) => {
    d.log.info(`request refused: ${reason}`, { status });
  });
}
