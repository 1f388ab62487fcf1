// The runtime seam on Node: http and websockets through @hono/node-server and ws, processes
// through child_process.
import { createAdaptorServer, upgradeWebSocket } from "@hono/node-server";
import type { HttpBindings } from "@hono/node-server";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { spawn as spawnProcess } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { STATUS_CODES } from "node:http";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { createReadStream } from "node:fs";
import { access, constants, readFile, realpath, stat } from "node:fs/promises";
import { createServer as createHttpsServer } from "node:https";
import { reverse } from "node:dns/promises";
import { Readable } from "node:stream";
import process from "node:process";
import type { Context, Hono } from "hono";
import type { WSEvents } from "hono/ws";
import type {
  Child,
  ExitStatus,
  Listener,
  PeerInfo,
  Runtime,
  ServeOptions,
  StaticFile,
  StopSignal,
  UpgradeOptions,
  WireSocket,
} from "./types.ts";
import { spawnErrorMessage } from "./errors.ts";
import { resolveCommand } from "./resolve.ts";
import { connectTcp, portFree } from "./node-tcp.ts";

/** A reverse lookup that takes longer is given up: the address stands in for the name. */
const LOOKUP_MS = 2000;

function withTimeout<T>(p: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), ms));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Set on a request's bindings when our route hands it to the websocket upgrade. */
const UPGRADING = Symbol("scalesocket.upgrading");
type Bindings = HttpBindings & { [UPGRADING]?: boolean };

export function nodeRuntime(): Runtime {
  const posix = process.platform !== "win32";
  return {
    name: "node",
    os: process.platform === "win32" ? "windows" : process.platform,
    spawn: (cmd, args, opts) => spawnChild(cmd, args, opts.env, posix),
    connectTcp,
    portFree,
    serve: serveApp,
    upgrade(c: Context, events: WSEvents, opts?: UpgradeOptions) {
      (c.env as Bindings)[UPGRADING] = true;
      const pingMs = opts?.pingMs;
      return upgradeWebSocket(c, pingMs ? withPings(events, pingMs) : events);
    },
    // Text is encoded to UTF-8 once here, instead of once per client inside ws.send().
    prepare: (msg) =>
      typeof msg === "string" ? { text: true, data: Buffer.from(msg) } : { text: false, data: msg },
    wire: (raw) => nodeWire(raw as WebSocket),
    peer(c: unknown): PeerInfo {
      const socket = ((c as Context).env as Bindings).incoming.socket;
      return { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
    },
    onSignal(handler) {
      const on = (signal: string) => handler(signal);
      process.on("SIGINT", on);
      process.on("SIGTERM", on);
      return () => {
        process.off("SIGINT", on);
        process.off("SIGTERM", on);
      };
    },
    env: () => ({ ...process.env }) as Record<string, string>,
    writeStderr: (text) => void process.stderr.write(text),
    stderrIsTTY: () => process.stderr.isTTY === true,
    realPath: (path) => realpath(path).catch(() => null),
    isDir: (path) => stat(path).then((s) => s.isDirectory(), () => false),
    isExecutable,
    readTextFile: (path) => readFile(path, "utf8"),
    reverseLookup: (ip) =>
      withTimeout(reverse(ip).then((names) => names[0] ?? null, () => null), LOOKUP_MS),
    openFile,
  };
}

function isExecutable(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() && access(path, constants.X_OK).then(() => true, () => false),
    () => false,
  );
}

/** ws's socket, corked for a batch so many small frames leave in one write. */
function nodeWire(ws: WebSocket): WireSocket {
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

async function openFile(path: string): Promise<StaticFile | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
    return { body, size: info.size };
  } catch {
    return null;
  }
}

async function spawnChild(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  posix: boolean,
): Promise<Child> {
  const file = posix ? await resolveCommand(cmd, process.env.PATH, isExecutable) : cmd;
  // detached gives the child its own process group, so the whole tree can be signalled.
  const cp = spawnProcess(file, args, { env, stdio: "pipe", detached: posix, windowsHide: true });
  await new Promise<void>((resolve, reject) => {
    cp.once("spawn", resolve);
    cp.once(
      "error",
      (err: NodeJS.ErrnoException) =>
        reject(new Error(spawnErrorMessage(cmd, err.code ?? err.message))),
    );
  });
  return wrapChild(cp, posix);
}

function wrapChild(cp: ChildProcessWithoutNullStreams, posix: boolean): Child {
  const pid = cp.pid!;
  // A child that closes stdin early makes writes fail with EPIPE; its exit reports that.
  cp.stdin.on("error", () => {});
  const exited = new Promise<ExitStatus>((resolve) => {
    cp.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const kill = (signal: StopSignal | 0): boolean => {
    try {
      if (posix) process.kill(-pid, signal);
      else if (signal !== 0) cp.kill(signal);
      else return cp.exitCode === null && cp.signalCode === null;
      return true;
    } catch {
      return false;
    }
  };
  return {
    pid,
    readOutput(onStdout, onStderr) {
      const ended = (s: NodeJS.ReadableStream) =>
        new Promise<void>((resolve) => {
          s.once("end", resolve);
          s.once("error", () => resolve());
          s.once("close", () => resolve());
        });
      cp.stdout.on("data", onStdout);
      cp.stderr.on("data", onStderr);
      return Promise.all([ended(cp.stdout), ended(cp.stderr)]).then(() => {});
    },
    write(data) {
      if (!cp.stdin.destroyed && cp.stdin.writable) cp.stdin.write(data);
    },
    get pendingInput() {
      return cp.stdin.writableLength;
    },
    closeStdin() {
      if (!cp.stdin.destroyed) cp.stdin.end();
    },
    signalGroup: (signal) => kill(signal),
    groupAlive: () => kill(0),
    exited,
  };
}

function serveApp(app: Hono, opts: ServeOptions): Promise<Listener> {
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
