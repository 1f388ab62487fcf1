// HTTP and websockets for both runtimes: node:http (Deno's node compatibility on Deno) with
// @hono/node-server for plain requests and ws for upgrades. Deno.upgradeWebSocket cannot be
// used: it has no message size limit and collects a fragmented message without any bound
// (docs/decisions.md, "Websockets on Deno").
// Upgrades do not go through node-server's websocket helper: the app routes and refuses them as
// any request, and then ws takes the socket here. So an open socket keeps nothing of its request
// (no Hono context, Request, Headers or URL), and a message reaches the room without a
// MessageEvent or a copy (docs/benchmarks.md, proposals 5 and 7).
import { createAdaptorServer } from "@hono/node-server";
import type { HttpBindings } from "@hono/node-server";
import { WebSocketServer } from "ws";
import type { RawData, WebSocket } from "ws";
import { Buffer } from "node:buffer";
import { STATUS_CODES } from "node:http";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Context, Hono } from "hono";
import type {
  Listener,
  Outgoing,
  PeerInfo,
  ServeOptions,
  SocketEvents,
  UpgradeOptions,
  WireSocket,
} from "./types.ts";
import { upgradeAnyKey } from "./ws-key.ts";

/** Left on a request's bindings by upgrade(), for the server's upgrade listener to finish. */
const ACCEPTED = Symbol("scalesocket.accepted");
type Bindings = HttpBindings & { [ACCEPTED]?: { events: SocketEvents; pingMs: number | null } };

/** Takes the upgrade: the socket is handed to ws once the app's answer is back. */
export function upgrade(
  c: Context,
  events: SocketEvents,
  opts?: UpgradeOptions,
): Promise<Response> {
  (c.env as Bindings)[ACCEPTED] = { events: guarded(events), pingMs: opts?.pingMs ?? null };
  // Fetch has no 101; the status is ws's to write. This response only carries headers.
  return Promise.resolve(new Response(null));
}

/** A throwing handler must not become an uncaught error that ends the whole server. */
export function guarded(events: SocketEvents): SocketEvents {
  const guard = <A extends unknown[]>(fn: (...a: A) => void) => (...a: A) => {
    try {
      fn(...a);
    } catch (err) {
      console.error("websocket handler failed:", err);
    }
  };
  return {
    onOpen: guard(events.onOpen),
    onMessage: guard(events.onMessage),
    onClose: guard(events.onClose),
  };
}

/** Text is encoded to UTF-8 once here, instead of once per client inside ws.send(). */
export function prepare(msg: string | Uint8Array): Outgoing {
  return typeof msg === "string"
    ? { text: true, data: Buffer.from(msg) }
    : { text: false, data: msg };
}

export function peer(c: unknown): PeerInfo {
  const socket = ((c as Context).env as Bindings).incoming.socket;
  return { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
}

/** ws's socket, corked for a batch so many small frames leave in one write. */
export function wire(raw: unknown): WireSocket {
  const ws = raw as WebSocket;
  // ws keeps the net.Socket private; cork/uncork is all we touch, and only if it is there.
  const socket = () => (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  return {
    send: (msg) => ws.send(msg.data, { binary: !msg.text }),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get readyState() {
      return ws.readyState;
    },
    close: (code, reason) => ws.close(code, reason),
    hold: () => socket()?.cork(),
    release: () => socket()?.uncork(),
    terminate: () => ws.terminate(),
  };
}

/** Connects an open socket to its events; with pingMs, websocketd's --pingms keep-alive. */
function attach(ws: WebSocket, events: SocketEvents, pingMs: number | null): void {
  let timer: ReturnType<typeof setInterval> | undefined;
  let heard = Date.now();
  if (pingMs) {
    ws.on("pong", () => heard = Date.now());
    timer = setInterval(() => {
      if (Date.now() - heard > 2 * pingMs) return ws.terminate();
      ws.ping();
    }, pingMs);
  }
  ws.on("message", (data: RawData, binary: boolean) => {
    if (pingMs) heard = Date.now();
    // ws hands over a Buffer of its own per message (nodebuffer), and has checked text is UTF-8.
    const buf = data as Buffer;
    events.onMessage(binary ? buf : buf.toString("utf8"));
  });
  ws.on("close", (code: number, reason: Buffer) => {
    clearInterval(timer);
    events.onClose(code, reason.toString());
  });
  // An error is followed by close; close reports it.
  ws.on("error", () => {});
  events.onOpen(ws);
}

export function serve(app: Hono, opts: ServeOptions): Promise<Listener> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload });
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
    server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", () => {});
      const websocket = req.headers.upgrade?.toLowerCase() === "websocket";
      void answer(app, wss, req, socket, head, websocket).catch(() => socket.destroy());
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

/** Routes an Upgrade request through the app, then upgrades it or writes the app's answer. */
async function answer(
  app: Hono,
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  websocket: boolean,
): Promise<void> {
  const request = toRequest(req, websocket);
  if (!request) return writeResponse(socket, new Response("Bad request\n", { status: 400 }));
  const env: Bindings = { incoming: req, outgoing: undefined as never };
  const res = await app.fetch(request, env);
  const accepted = env[ACCEPTED];
  if (!accepted) return writeResponse(socket, res, req.method === "HEAD");
  // The client may be gone before the handshake completes, or ws may refuse it (it writes its
  // own 400): the events hear a close, so the room is not held for nothing.
  const { events, pingMs } = accepted;
  if (socket.destroyed) return events.onClose(1006, "");
  const early = () => events.onClose(1006, "");
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
      attach(ws, events, pingMs);
    });
  } finally {
    wss.off("headers", extra);
  }
}

/**
 * The Request the app sees for an Upgrade request (no body is read). A websocket keeps its
 * Upgrade and Connection headers, by which the app routes it; another upgrade loses them, so
 * it is answered as plain HTTP. Null when the target or Host cannot make a URL of this server.
 */
function toRequest(req: IncomingMessage, websocket: boolean): Request | null {
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
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (!websocket && (name === "upgrade" || name === "connection")) continue;
    headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(url, { method: req.method, headers });
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

/** The HTTP and websocket half of a Runtime, the same on Node and Deno. */
export const httpAndWebsockets = { serve, upgrade, prepare, wire, peer } as const;
