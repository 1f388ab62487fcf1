// The Hono app: health and readiness, room websockets, static files; refusals before upgrade.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import { roomFromPath } from "./path.ts";
import { roomEvents } from "./connect.ts";
import type { ConnectDeps } from "./connect.ts";

export interface AppState {
  /** True once shutdown began: /ready answers 503 and no connection is accepted. */
  draining: boolean;
  /** --oneshot: set once the single connection has been accepted. */
  oneshotUsed: boolean;
}

export function createApp(
  deps: ConnectDeps,
  state: AppState,
  staticFiles: MiddlewareHandler | null,
): Hono {
  const { config, registry, runtime } = deps;
  const app = new Hono();
  app.use(extraHeaders(config));
  // Websocket requests first: a reserved name such as /health is refused, not answered.
  app.get("*", (c, next) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return next();
    if (state.draining) return c.text("Server is shutting down\n", 503);
    const path = roomFromPath(rawPath(c.req.url));
    if (path.kind === "other") return c.text("Not found\n", 404);
    if (path.kind === "invalid") return c.text("Invalid room\n", 400);
    if (config.rooms && !config.rooms.includes(path.name)) return c.text("Invalid room\n", 400);
    if (config.oneshot && state.oneshotUsed) return c.text("Already serving a client\n", 429);
    const room = registry.open(path.name);
    if (!room) return c.text("Too many rooms\n", 429);
    if (config.oneshot) state.oneshotUsed = true;
    return runtime.upgrade(c, roomEvents(c, room, deps));
  });
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get(
    "/ready",
    (c) => state.draining ? c.json({ status: "draining" }, 503) : c.json({ status: "ready" }),
  );
  if (staticFiles) app.use("*", staticFiles);
  app.all("*", (c) => c.text("Not found\n", 404));
  app.onError((err, c) => {
    deps.log.error("request failed", { path: c.req.path, error: err.message });
    return c.text("Internal server error\n", 500);
  });
  return app;
}

/** The path as the client sent it, still percent-encoded. */
function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 || end < start ? undefined : end);
}

/** --header on every response, --header-ws on upgrades, --header-http on the rest. */
function extraHeaders(config: Config): MiddlewareHandler {
  const { all, ws, http } = config.headers;
  if (all.length + ws.length + http.length === 0) return (_c, next) => next();
  return async (c: Context, next) => {
    await next();
    const upgrade = c.res.status === 101 || c.req.header("upgrade") !== undefined;
    for (const [name, value] of [...all, ...(upgrade ? ws : http)]) {
      try {
        c.res.headers.append(name, value);
      } catch {
        // Some runtimes hand back upgrade responses with immutable headers.
      }
    }
  };
}
