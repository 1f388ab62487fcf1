// HTTP and websockets, the same code on Node and on Deno: node:http (Deno's Node compatibility
// on Deno) with @hono/node-server for plain requests and ws for upgrades. With src/runtime/,
// this folder is the only code that touches node:* (STYLE.md rule 1, widened: it is not a
// runtime difference, so it is not behind the runtime seam). Deno.upgradeWebSocket cannot be
// used: it has no message size limit and collects a fragmented message without any bound
// (docs/decisions.md, "Websockets on Deno").
// Upgrades do not go through node-server's websocket helper: the app routes and refuses them as
// any request, and accept() leaves the ticket here for ws to take the socket. So an open socket
// keeps nothing of its request (no Hono context, Request, Headers or URL), and a message
// reaches the room without a MessageEvent or a copy (docs/benchmarks.md).
import { createAdaptorServer } from "@hono/node-server";
import type { HttpBindings } from "@hono/node-server";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { Buffer } from "node:buffer";
import { STATUS_CODES } from "node:http";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Context, Hono } from "hono";
import type { Logger } from "../log.ts";
import type { PeerInfo, Ticket } from "../room/door.ts";
import { attach, Keepalive } from "./socket.ts";
import { upgradeAnyKey } from "./ws-key.ts";
import { answerProtocol } from "../auth/token.ts";

export interface Listener {
  /** The real address bound (port resolved when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  /** Stops accepting connections; open websockets are left to the caller. */
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  port: number;
  /** Listen on this unix socket instead of host and port. */
  path?: string;
  /** Largest websocket message accepted; a larger one is refused with 1009. */
  maxPayload: number;
  /** Serve https/wss with this PEM certificate and key (file contents). */
  tls?: { cert: string; key: string };
  /** Ping every websocket every pingMs; close one silent for twice that. */
  pingMs?: number | null;
  /** Where a failing websocket handler is reported. */
  log: Logger;
  /**
   * The app's middleware changes nothing in the answer to a websocket request once accept() has
   * made it (no --header or --header-ws): the upgrade then goes ahead in the same turn as the
   * admission, without waiting for the app's promise (see answer()).
   */
  finalAtAccept?: boolean;
}

/** Left on a request's bindings by accept(), for the upgrade listener to finish. */
const ACCEPTED = Symbol("scalesocket.accepted");
/** Left there by answer(): the request's headers as pairs (see headerPairs). */
const PAIRS = Symbol("scalesocket.pairs");
type Bindings = HttpBindings & {
  [ACCEPTED]?: { ticket: Ticket; res: Response };
  [PAIRS]?: [string, string][];
};

/**
 * The app's answer to a websocket request it admits: ws takes the socket once the app's answer
 * is back, and the ticket opens with it (or is cancelled when the upgrade fails).
 */
export function accept(c: Context, ticket: Ticket): Response {
  // Fetch has no 101; the status is ws's to write. This response only carries headers.
  const res = new Response(null);
  const env = c.env as Bindings | undefined;
  if (env) env[ACCEPTED] = { ticket, res };
  return res;
}

/**
 * The ticket accept() left on a request's bindings, if the app admitted it: the upgrade
 * listener takes it from here (and so can a test that calls app.request() with bindings).
 */
export function acceptedTicket(env: HttpBindings): Ticket | undefined {
  return (env as Bindings)[ACCEPTED]?.ticket;
}

/**
 * The request's headers as `[...c.req.raw.headers]` lists them: lower-case names in order, one
 * pair per name. For an upgrade they are the pairs its Request was made from, sorted: the same
 * list, without iterating the Request's Headers (on Deno about 4 KB of garbage per handshake).
 */
export function headerPairs(c: Context): [string, string][] {
  return (c.env as Bindings | undefined)?.[PAIRS] ?? [...c.req.raw.headers];
}

/** The peer of the request behind c (empty for a request that came through no socket). */
export function peerOf(c: Context): PeerInfo {
  const socket = (c.env as Bindings | undefined)?.incoming?.socket;
  return { address: socket?.remoteAddress ?? "", port: socket?.remotePort ?? 0 };
}

export function serve(app: Hono, opts: ServeOptions): Promise<Listener> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayload,
    // ws answers the first protocol offered by default; a `bearer.<token>` offer carries a
    // token (src/auth/token.ts), which must never be echoed back (nor land in a proxy's log).
    handleProtocols: (offers: Set<string>) => answerProtocol(offers) ?? false,
  });
  const keepalive = opts.pingMs ? new Keepalive(opts.pingMs) : null;
  const take = (ws: WebSocket, ticket: Ticket) => attach(ws, ticket, opts.log, keepalive);
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({
      fetch: app.fetch,
      hostname: opts.host,
      ...(opts.tls
        ? {
          createServer: createHttpsServer,
          serverOptions: { cert: opts.tls.cert, key: opts.tls.key },
        }
        : {}),
    });
    // Node hands every request with an Upgrade header here. A websocket one is routed by the
    // app; any other (h2c, as curl --http2 offers) is answered as plain HTTP/1.1.
    const final = opts.finalAtAccept === true;
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => {});
      const websocket = req.headers.upgrade?.toLowerCase() === "websocket";
      void answer(app, wss, take, { req, socket, head, websocket, final })
        .catch(() => socket.destroy());
    });
    server.once("error", (err: NodeJS.ErrnoException) => reject(err));
    if (opts.path !== undefined) server.listen(opts.path);
    else server.listen(opts.port, opts.host);
    server.once("listening", () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : opts.port;
      resolve({
        host: opts.host,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
  });
}

/** Response headers that are the websocket handshake's own, never copied from the app's. */
const HANDSHAKE_HEADERS = new Set([
  "connection",
  "content-length",
  "content-type",
  "upgrade",
  "sec-websocket-accept",
  "sec-websocket-extensions",
  "sec-websocket-protocol",
]);

interface Upgrade {
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  websocket: boolean;
  /** ServeOptions.finalAtAccept. */
  final: boolean;
}

/** Routes an Upgrade request through the app, then upgrades it or writes the app's answer. */
async function answer(
  app: Hono,
  wss: WebSocketServer,
  take: (ws: WebSocket, ticket: Ticket) => void,
  u: Upgrade,
): Promise<void> {
  const { req, socket, websocket, final } = u;
  const made = toRequest(req, websocket);
  if (!made) return writeResponse(socket, new Response("Bad request\n", { status: 400 }));
  const [request, pairs] = made;
  const env: Bindings = { incoming: req, outgoing: undefined as never, [PAIRS]: pairs };
  const answered = app.fetch(request, env);
  // Admitted in this turn: a new room's child then starts in this turn too (the room spawns it
  // when its first socket opens), not after every handshake that arrived with this one.
  const now = final ? env[ACCEPTED] : undefined;
  if (now) {
    void Promise.resolve(answered).catch(() => {});
    return upgrade(wss, take, u, now.ticket, now.res);
  }
  const res = await answered;
  const ticket = acceptedTicket(env);
  if (!ticket) return writeResponse(socket, res, req.method === "HEAD");
  upgrade(wss, take, u, ticket, res);
}

function upgrade(
  wss: WebSocketServer,
  take: (ws: WebSocket, ticket: Ticket) => void,
  { req, socket, head }: Upgrade,
  ticket: Ticket,
  res: Response,
): void {
  // The client may be gone before the handshake completes, or ws may refuse it (it writes its
  // own 400): the ticket is cancelled, so the room is not held for nothing.
  if (socket.destroyed) return ticket.cancel();
  const early = () => ticket.cancel();
  socket.once("close", early);
  const extra = (headers: string[], of: IncomingMessage) => {
    if (of !== req) return;
    res.headers.forEach((value, name) => {
      if (!HANDSHAKE_HEADERS.has(name)) headers.push(`${name}: ${value}`);
    });
  };
  wss.on("headers", extra);
  try {
    upgradeAnyKey(wss, req, socket, head, (ws) => {
      // Removed, so nothing keeps this request and the app's response alive with the socket.
      socket.off("close", early);
      take(ws, ticket);
    });
  } finally {
    wss.off("headers", extra);
  }
}

/**
 * The Request the app sees for an Upgrade request (no body is read). A websocket keeps its
 * Upgrade and Connection headers, by which the app routes it; another upgrade loses them, so
 * it is answered as plain HTTP. Null when the target or Host cannot make a URL of this server.
 * With it, the pairs it was made from, as its Headers would list them (headerPairs).
 */
export function toRequest(
  req: IncomingMessage,
  websocket: boolean,
): [Request, [string, string][]] | null {
  const target = req.url ?? "/";
  const host = req.headers.host ?? "localhost";
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  let url: URL;
  try {
    // The absolute form (RFC 9112 §3.2.2) names its own host; the origin form needs Host, and a
    // Host with a path, query or user part would move the path the app routes by.
    if (/^https?:\/\//i.test(target)) url = new URL(target);
    else if (target.startsWith("/") && !/[/?#@\\\s]/.test(host)) {
      url = new URL(`${tls ? "https" : "http"}://${host}${target}`);
    } else return null;
  } catch {
    return null;
  }
  // Pairs, not a Headers: Request copies whatever it is given into a Headers of its own.
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (!websocket && (name === "upgrade" || name === "connection")) continue;
    headers.push([name, Array.isArray(value) ? value.join(", ") : value]);
  }
  const request = new Request(url, { method: req.method, headers });
  // Node has lower-cased the names and joined repeated ones: sorted, this is the Headers' list.
  return [request, headers.sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)];
}

/** Writes a whole response to a socket that HTTP no longer owns, and closes it. */
async function writeResponse(socket: Duplex, res: Response, head = false): Promise<void> {
  const full = new Uint8Array(await res.arrayBuffer());
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ""}`];
  res.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") lines.push(`${name}: ${value}`);
  });
  lines.push(`Content-Length: ${full.byteLength}`, "Connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), head ? new Uint8Array(0) : full]));
}
