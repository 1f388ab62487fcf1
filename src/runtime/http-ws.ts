// HTTP and websockets for both runtimes: node:http (Deno's node compatibility on Deno) with
// @hono/node-server and ws. Deno.upgradeWebSocket cannot be used: it has no message size limit
// and collects a fragmented message without any bound (docs/decisions.md, "Websockets on Deno").
import { createAdaptorServer, upgradeWebSocket } from "@hono/node-server";
import type { HttpBindings } from "@hono/node-server";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { Buffer } from "node:buffer";
import { STATUS_CODES } from "node:http";
import type { IncomingMessage } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import type { Context, Hono } from "hono";
import type { WSEvents } from "hono/ws";
import type {
  Listener,
  Outgoing,
  PeerInfo,
  ServeOptions,
  UpgradeOptions,
  WireSocket,
} from "./types.ts";

/** Set on a request's bindings when our route hands it to the websocket upgrade. */
const UPGRADING = Symbol("scalesocket.upgrading");
type Bindings = HttpBindings & { [UPGRADING]?: boolean };

export function upgrade(c: Context, events: WSEvents, opts?: UpgradeOptions): Promise<Response> {
  (c.env as Bindings)[UPGRADING] = true;
  const pingMs = opts?.pingMs;
  return upgradeWebSocket(c, guarded(pingMs ? withPings(events, pingMs) : events));
}

/** A throwing handler must not become an uncaught error that ends the whole server. */
export function guarded(events: WSEvents): WSEvents {
  const guard = <A extends unknown[]>(fn: ((...a: A) => void) | undefined) =>
    fn && ((...a: A) => {
      try {
        fn(...a);
      } catch (err) {
        console.error("websocket handler failed:", err);
      }
    });
  return {
    onOpen: guard(events.onOpen),
    onMessage: guard(events.onMessage),
    onClose: guard(events.onClose),
    onError: guard(events.onError),
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

/** websocketd's --pingms: a ping every ms; a client silent for 2×ms is cut off. */
function withPings(events: WSEvents, ms: number): WSEvents {
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    ...events,
    onOpen(e, ctx) {
      const ws = ctx.raw as WebSocket;
      let heard = Date.now();
      const alive = () => heard = Date.now();
      ws.on("pong", alive);
      ws.on("message", alive);
      timer = setInterval(() => {
        if (Date.now() - heard > 2 * ms) return ws.terminate();
        ws.ping();
      }, ms);
      events.onOpen?.(e, ctx);
    },
    onClose(e, ctx) {
      clearInterval(timer);
      events.onClose?.(e, ctx);
    },
  };
}

export function serve(app: Hono, opts: ServeOptions): Promise<Listener> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload });
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({
      fetch: async (req, bindings) => {
        const env = bindings as Bindings;
        const res = await app.fetch(req, env);
        // node-server answers a refused upgrade with an empty body; we send ours instead.
        if (env.outgoing === undefined && !env[UPGRADING]) {
          await refuseUpgrade(env.incoming, res);
        }
        return res;
      },
      hostname: opts.host,
      websocket: { server: wss },
      ...(opts.tls
        ? {
          createServer: createHttpsServer,
          serverOptions: { cert: opts.tls.cert, key: opts.tls.key },
        }
        : {}),
    });
    // A second listener stops node-server from writing its own bodyless refusal. Node hands
    // any Upgrade (h2c, as curl --http2 offers) to upgrade listeners only: we ignore the offer
    // and answer the request as plain HTTP/1.1, through the app.
    server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
      if (req.headers.upgrade?.toLowerCase() === "websocket") return;
      socket.on("error", () => {});
      void plainAnswer(app, req).then(
        (res) => refuseUpgrade(req, res, req.method === "HEAD"),
        () => socket.destroy(),
      );
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

/** The app's answer to a request that offered an upgrade we do not take (no body is read). */
function plainAnswer(app: Hono, req: IncomingMessage): Promise<Response> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && name !== "upgrade" && name !== "connection") {
      headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    }
  }
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
  return Promise.resolve(app.fetch(new Request(url, { method: req.method, headers }), {
    incoming: req,
    outgoing: undefined,
  }));
}

async function refuseUpgrade(
  incoming: IncomingMessage,
  res: Response,
  head = false,
): Promise<void> {
  const socket = incoming.socket;
  const full = new Uint8Array(await res.arrayBuffer());
  const body = head ? new Uint8Array(0) : full;
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${res.status} ${STATUS_CODES[res.status] ?? ""}`];
  res.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") lines.push(`${name}: ${value}`);
  });
  lines.push(`Content-Length: ${full.byteLength}`, "Connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
}
