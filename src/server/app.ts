// The Hono app: health and readiness, room websockets, static files; refusals before upgrade.
import { Hono } from "hono";
import type { Context, MiddlewareHandler } from "hono";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import { andThen, type Door, refused } from "../room/door.ts";
import type { Stats } from "../room/stats.ts";
import { accept, headerPairs, peerOf } from "../http/serve.ts";
import { rawPath } from "../room/admit.ts";
import { originAllowed } from "./origin.ts";
import { apiRoutes } from "./api.ts";
import { LOBBY_HTML } from "./lobby.ts";
import { DEVCONSOLE_HTML } from "./devconsole.ts";
import { cgiScripts } from "./cgi.ts";
import type { Metrics } from "./metrics.ts";
import type { Authenticator } from "../auth/authenticate.ts";
import { type AuthDeps, authRequest, pageGuard } from "./auth.ts";
import { CLIENT_PATH, serveClient } from "./client.ts";

export interface AppState {
  /** True once shutdown began: /ready answers 503 and no connection is accepted. */
  draining: boolean;
  /** Why /ready answers 503 while connections are still taken (cluster mode), or null. */
  unready?: () => string | null;
}

export interface AppDeps {
  config: Config;
  runtime: Runtime;
  log: Logger;
  /** The door to the rooms: every websocket request is admitted (or refused) there. */
  registry: Door;
  stats: Stats;
  version: string;
  /** --jwt-* or --auth: who may join (and read /api, /metrics); null lets anyone in. */
  auth?: Authenticator | null;
}

/** Optional parts: --staticdir's files and --metrics' exposition. */
export interface AppExtras {
  statics: MiddlewareHandler | null;
  metrics: Metrics | null;
}

export function createApp(deps: AppDeps, state: AppState, extras: AppExtras): Hono {
  const { config, registry, runtime, stats } = deps;
  // Every refusal is a websocket request turned away: one line at the default level says why,
  // or a page that connects to the wrong path stays blank with nothing in the log.
  const refuse = (
    c: Context,
    status: 400 | 401 | 403 | 404 | 405 | 429 | 503,
    reason: string,
    text: string,
    hint?: string,
    headers?: Record<string, string>,
  ) => {
    stats.refused(reason);
    deps.log.info(`websocket refused: ${text}`, { path: rawPath(c.req.url), status, hint });
    return c.text(`${text}\n`, status, headers);
  };
  const authDeps: AuthDeps | null = deps.auth && config.auth
    ? { auth: deps.auth, config: config.auth, log: deps.log }
    : null;
  const guard = authDeps && pageGuard(authDeps, (c) => peerOf(c).address);
  const app = new Hono();
  app.use(extraHeaders(config));
  // RFC 6455 §4.1: a handshake is a GET; any other method offering a websocket is refused.
  app.use("*", (c, next) => {
    if (c.req.method === "GET" || c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return next();
    }
    c.header("Allow", "GET");
    return Promise.resolve(refuse(c, 405, "bad_handshake", "Websocket handshakes use GET"));
  });
  // Websocket requests first: a reserved name such as /health is refused, not answered.
  // Not async: with nothing to wait for, the client is admitted (and accept() called) in the
  // turn its request came in (see finalAtAccept in src/http/serve.ts).
  app.get("*", (c, next) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return next();
    if (state.draining) return refuse(c, 503, "draining", "Server is shutting down");
    // Checked before a room is reserved: a handshake the runtime would refuse must not hold a
    // room (or a --maxrooms slot) until the reservation times out.
    if (!validHandshake(c)) return refuse(c, 400, "bad_handshake", "Bad websocket handshake");
    const tls = config.tls !== null;
    const req = {
      url: c.req.url,
      method: c.req.method,
      headers: headerPairs(c),
      peer: peerOf(c),
      tls,
    };
    // A cluster node's link carries many clients, each checked by the node they reached.
    const link = registry.link?.(req);
    if (!link && !originAllowed(config.origin, c.req.header("origin"), c.req.header("host"), tls)) {
      return refuse(c, 403, "origin", "Origin not allowed");
    }
    const admitted = link ?? registry.admit(authDeps ? authRequest(authDeps, c, req) : req);
    return andThen(admitted, (ticket) => {
      if (refused(ticket)) {
        return refuse(c, ticket.status, ticket.reason, ticket.text, ticket.hint, ticket.headers);
      }
      return accept(c, ticket);
    });
  });
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.get(CLIENT_PATH, serveClient);
  app.get(
    "/ready",
    (c) => {
      const why = state.draining ? "draining" : state.unready?.() ?? null;
      return why ? c.json({ status: why }, 503) : c.json({ status: "ready" });
    },
  );
  const { metrics } = extras;
  if (guard) { for (const path of ["/metrics", "/api", "/api/*"]) app.use(path, guard); }
  if (metrics) {
    app.get("/metrics", async (c) => {
      const { body, contentType } = await metrics.scrape();
      return c.body(body, 200, { "Content-Type": contentType });
    });
  }
  if (config.api) {
    app.route("/api", apiRoutes(registry));
    if (!extras.statics && !config.devConsole) {
      if (guard) app.get("/", guard);
      app.get("/", (c) => c.html(LOBBY_HTML));
    }
  }
  if (extras.statics) app.use("*", extras.statics);
  if (config.cgiDir !== null) {
    app.use("*", cgiScripts(config, runtime, deps.log, deps.version, registry));
  }
  // websocketd's console answers every other page, so /lobby opens ws://…/lobby.
  if (config.devConsole) app.get("*", (c) => c.html(DEVCONSOLE_HTML));
  app.all("*", (c) => c.text("Not found\n", 404));
  app.onError((err, c) => {
    deps.log.error("request failed", { path: c.req.path, error: err.message });
    return c.text("Internal server error\n", 500);
  });
  return app;
}

/**
 * RFC 6455 §4.2.1: Connection: Upgrade, version 13 and a key. RFC 6455 wants a key of 16 bytes,
 * but the key only feeds the accept hash, and websocketd and ScaleSocket take any: ScaleSocket's
 * own Quick Start sends one of 13 bytes. So any non-empty base64 is a key.
 */
function validHandshake(c: Context): boolean {
  const connection = c.req.header("connection")?.toLowerCase() ?? "";
  if (!connection.split(",").some((t) => t.trim() === "upgrade")) return false;
  if (c.req.header("sec-websocket-version")?.trim() !== "13") return false;
  const key = c.req.header("sec-websocket-key")?.trim() ?? "";
  return /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/.test(
    key,
  );
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
