// A Hono middleware that asks for the same credentials on plain pages (/api, /metrics, the lobby).
import type { Context, MiddlewareHandler } from "hono";
import type { Authenticator } from "./authenticate.ts";

/**
 * Refuses requests authenticate() refuses, with its status, body and headers; `remote` gives
 * the client's address (the runtime knows it), `refused` hears the reason for one log line.
 * Plain requests have no room, so a token's `rooms` claim does not limit them.
 */
export function authGuard(
  auth: Authenticator,
  remote: (c: Context) => string,
  refused: (reason: string, status: number) => void = () => {},
): MiddlewareHandler {
  return async (c, next) => {
    const verdict = await auth.authenticate(c.req.raw, { remote: remote(c), room: null });
    if (verdict.ok) return await next();
    refused(verdict.reason, verdict.status);
    return c.text(`${verdict.text}\n`, verdict.status, verdict.headers);
  };
}
