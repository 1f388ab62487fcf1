// The runtime seam on Deno: Deno.serve, Deno.upgradeWebSocket and Deno.Command.
import type { Context, Hono } from "hono";
import { WSContext } from "hono/ws";
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
  WireSocket,
} from "./types.ts";
import { spawnErrorMessage } from "./errors.ts";
import { resolveCommand } from "./resolve.ts";
import { connectTcp, portFree } from "./deno-tcp.ts";

/** A reverse lookup that takes longer is given up: the address stands in for the name. */
const LOOKUP_MS = 2000;

/** The in-addr.arpa / ip6.arpa name of an address, for a PTR query. */
function ptrName(ip: string): string | null {
  const v4 = ip.replace(/^::ffff:/, "");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return `${v4.split(".").reverse().join(".")}.in-addr.arpa`;
  if (!ip.includes(":")) return null;
  // Expand "::" and pad every group to four nibbles, then reverse the nibbles.
  const [head, tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const nibbles = groups.map((g) => g.padStart(4, "0")).join("").split("");
  return `${nibbles.reverse().join(".")}.ip6.arpa`;
}

interface DenoBindings {
  remoteAddr: { hostname: string; port: number };
}

export function denoRuntime(): Runtime {
  const posix = Deno.build.os !== "windows";
  return {
    name: "deno",
    os: Deno.build.os,
    spawn: async (cmd, args, opts) => {
      const file = posix ? await resolveCommand(cmd, Deno.env.get("PATH"), isExecutable) : cmd;
      return spawnChild(file, args, opts.env, posix);
    },
    connectTcp,
    portFree,
    serve: serveApp,
    upgrade: (c, events, opts) => Promise.resolve(upgrade(c, events, opts?.pingMs ?? null)),
    prepare: (msg) => ({ text: typeof msg === "string", data: msg }),
    wire: (raw) => denoWire(raw as WebSocket),
    peer(c: unknown): PeerInfo {
      const addr = ((c as Context).env as DenoBindings).remoteAddr;
      return { address: addr.hostname, port: addr.port };
    },
    onSignal(handler) {
      const signals: Deno.Signal[] = posix ? ["SIGINT", "SIGTERM"] : ["SIGINT"];
      const listeners = signals.map((s) => [s, () => handler(s)] as const);
      for (const [s, fn] of listeners) Deno.addSignalListener(s, fn);
      return () => {
        for (const [s, fn] of listeners) Deno.removeSignalListener(s, fn);
      };
    },
    env: () => Deno.env.toObject(),
    writeStderr: (text) => {
      const bytes = new TextEncoder().encode(text);
      let off = 0;
      while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
    },
    stderrIsTTY: () => Deno.stderr.isTerminal(),
    realPath: (path) => Deno.realPath(path).catch(() => null),
    isDir: (path) => Deno.stat(path).then((s) => s.isDirectory, () => false),
    isExecutable,
    readTextFile: (path) => Deno.readTextFile(path),
    reverseLookup: async (ip) => {
      const name = ptrName(ip);
      if (!name) return null;
      const timeout = AbortSignal.timeout(LOOKUP_MS);
      try {
        const names = await Deno.resolveDns(name, "PTR", { signal: timeout });
        return names[0]?.replace(/\.$/, "") ?? null;
      } catch {
        return null;
      }
    },
    openFile,
  };
}

function isExecutable(path: string): Promise<boolean> {
  // Any execute bit: the spawn itself reports the rare case where it is not ours.
  return Deno.stat(path).then((s) => s.isFile && ((s.mode ?? 0) & 0o111) !== 0, () => false);
}

async function openFile(path: string): Promise<StaticFile | null> {
  try {
    // Stat first: opening a FIFO would block until a writer came (and hold up shutdown).
    if (!(await Deno.stat(path)).isFile) return null;
    const file = await Deno.open(path);
    const info = await file.stat();
    if (!info.isFile) {
      file.close();
      return null;
    }
    return { body: file.readable, size: info.size };
  } catch {
    return null;
  }
}

/** Deno's socket as the rooms use it: it has no cork, so hold and release do nothing. */
function denoWire(ws: WebSocket): WireSocket {
  return {
    send: (msg) => ws.send(msg.data as string | Uint8Array<ArrayBuffer>),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    get readyState() {
      return ws.readyState;
    },
    close: (code, reason) => ws.close(code, reason),
    hold: () => {},
    release: () => {},
  };
}

/** Our own small adapter over Deno.upgradeWebSocket, shaped like hono's helpers. */
function upgrade(c: Context, events: WSEvents, pingMs: number | null): Response {
  let pair: { socket: WebSocket; response: Response };
  try {
    // Deno pings after half its idleTimeout of silence and closes after the other half:
    // --pingms maps to that as closely as whole seconds allow. Without it, no pings (0).
    const idleTimeout = pingMs ? Math.max(1, Math.round((2 * pingMs) / 1000)) : 0;
    pair = Deno.upgradeWebSocket(c.req.raw, { idleTimeout });
  } catch (err) {
    return new Response(`Bad websocket handshake: ${(err as Error).message}\n`, { status: 400 });
  }
  const { socket, response } = pair;
  socket.binaryType = "arraybuffer";
  const ctx = new WSContext<WebSocket>({
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
    raw: socket,
    get readyState() {
      return socket.readyState as 0 | 1 | 2 | 3;
    },
    url: c.req.url,
    protocol: null,
  });
  socket.onopen = (e) => guard(() => events.onOpen?.(e, ctx));
  socket.onmessage = (e) => guard(() => events.onMessage?.(e, ctx));
  socket.onclose = (e) => guard(() => events.onClose?.(e, ctx));
  socket.onerror = (e) => guard(() => events.onError?.(e, ctx));
  return response;
}

/** A throwing handler must not become an uncaught error that ends the whole server. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error("websocket handler failed:", err);
  }
}

function serveApp(app: Hono, opts: ServeOptions): Promise<Listener> {
  return new Promise((resolve, reject) => {
    let server: Deno.HttpServer<Deno.NetAddr | Deno.UnixAddr>;
    const handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr | Deno.UnixAddr>) =>
      app.fetch(req, {
        remoteAddr: "port" in info.remoteAddr ? info.remoteAddr : { hostname: "", port: 0 },
      });
    const common = {
      onListen: () => {},
      onError: () => new Response("Internal server error\n", { status: 500 }),
    };
    try {
      server = opts.path !== undefined
        ? Deno.serve({ ...common, path: opts.path }, handler)
        : Deno.serve({
          ...common,
          hostname: opts.host,
          port: opts.port,
          ...(opts.tls ? { cert: opts.tls.cert, key: opts.tls.key } : {}),
        }, handler);
    } catch (err) {
      const e = err as Error;
      // Deno names the failure by class; give callers Node's code so messages match.
      reject(Object.assign(e, { code: e.name === "AddrInUse" ? "EADDRINUSE" : e.name }));
      return;
    }
    const addr = server.addr;
    resolve({
      host: opts.path ?? opts.host,
      port: "port" in addr ? addr.port : 0,
      close: () => server.shutdown(),
    });
  });
}

function spawnChild(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  posix: boolean,
): Child {
  let proc: Deno.ChildProcess;
  try {
    proc = new Deno.Command(cmd, {
      args,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // detached starts a new session, so the whole tree can be signalled as a group.
      detached: posix,
    }).spawn();
  } catch (err) {
    throw new Error(spawnErrorMessage(cmd, (err as Error).name));
  }
  return wrapChild(proc, posix);
}

function wrapChild(proc: Deno.ChildProcess, posix: boolean): Child {
  const pid = proc.pid;
  const writer = proc.stdin.getWriter();
  let pending = 0;
  let stdinOpen = true;
  let gone = false;
  const exited = proc.status.then((s): ExitStatus => {
    gone = true;
    // Nobody reads a dead child's stdin: close our end now, not when the GC gets to it.
    if (stdinOpen) {
      stdinOpen = false;
      writer.abort().catch(() => {});
    }
    return { code: s.signal ? null : s.code, signal: s.signal ?? null };
  });
  const kill = (signal: StopSignal): boolean => {
    try {
      if (posix) Deno.kill(-pid, signal);
      else proc.kill(signal);
      return true;
    } catch {
      return false;
    }
  };
  return {
    pid,
    readOutput(onStdout, onStderr) {
      return Promise.all([pump(proc.stdout, onStdout), pump(proc.stderr, onStderr)]).then(() => {});
    },
    write(data) {
      if (!stdinOpen) return;
      pending += data.byteLength;
      writer.write(data).then(
        () => pending -= data.byteLength,
        () => pending -= data.byteLength,
      );
    },
    get pendingInput() {
      return pending;
    },
    closeStdin() {
      if (!stdinOpen) return;
      stdinOpen = false;
      writer.close().catch(() => {});
    },
    signalGroup: kill,
    groupAlive() {
      // Without process groups (Windows) only the child itself can be watched.
      if (!posix) return !gone;
      try {
        // Signal 0 only probes; Deno's types do not list it.
        Deno.kill(-pid, 0 as unknown as Deno.Signal);
        return true;
      } catch {
        return false;
      }
    },
    exited,
  };
}

async function pump(stream: ReadableStream<Uint8Array>, onChunk: (c: Uint8Array) => void) {
  try {
    for await (const chunk of stream) onChunk(chunk);
  } catch {
    // A read error ends the stream like EOF; the exit status reports what happened.
  }
}
