// GET /scalesocket/client.mjs: the client library, for pages that import it without a build.
import type { Context } from "hono";
import { CLIENT_JS } from "./client-js.ts";

/**
 * Two segments, so it can never be a room (a room is one segment). It is answered before
 * --staticdir: a page relies on the copy that speaks this server's protocol.
 */
export const CLIENT_PATH = "/scalesocket/client.mjs";

export function serveClient(c: Context): Response {
  return c.body(CLIENT_JS, 200, {
    "Content-Type": "text/javascript; charset=utf-8",
    // Revalidated on every load: after an upgrade, pages must not keep an older protocol.
    "Cache-Control": "no-cache",
  });
}
