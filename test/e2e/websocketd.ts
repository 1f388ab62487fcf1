// Starts the real websocketd (the peer compat.test.ts compares with) on a free port.
import { spawn, spawnSync } from "node:child_process";
import { connect, createServer } from "node:net";
import process from "node:process";
import { type Exit, ROOT, waitFor } from "./harness.ts";

/** Whether websocketd is on PATH; compat.test.ts is skipped without it. */
export const HAVE_WEBSOCKETD = !spawnSync("websocketd", ["--version"], { stdio: "ignore" }).error;

/** What the comparison needs of a server, websocketd or ours (the harness's Running fits). */
export interface Peer {
  port: number;
  ws(path: string): string;
  http(path: string): string;
  stderr(): string;
  stop(): Promise<Exit>;
}

/** A port nothing listens on right now, found by binding port 0 and letting it go. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const addr = probe.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * websocketd cannot listen on port 0 (it takes 0 as "the default", 80), so it gets a port found
 * free a moment before. Another process may take it in between (a tiny race): that start fails
 * with "address already in use" and is retried once on a fresh port.
 */
export async function startWebsocketd(args: string[]): Promise<Peer> {
  try {
    return await startOnce(await freePort(), args);
  } catch (err) {
    if (!/address already in use/.test((err as Error).message)) throw err;
    return await startOnce(await freePort(), args);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port now. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function startOnce(port: number, args: string[]): Promise<Peer> {
  const p = spawn("websocketd", [`--port=${port}`, "--address=127.0.0.1", ...args], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  p.stderr!.on("data", (d) => err += d);
  let gone = false;
  const exited = new Promise<Exit>((resolve) =>
    p.on("exit", (code, signal) => {
      gone = true;
      resolve({ code, signal });
    })
  );
  // websocketd logs "Starting WebSocket server" before it binds, and nothing after: it is
  // ready once its port accepts connections (or it has failed once it exited).
  try {
    await waitFor(async () => gone || await accepts(port), `websocketd on port ${port}`, 15_000);
  } catch (e) {
    p.kill("SIGKILL");
    throw new Error(`${(e as Error).message}:\n${err}`);
  }
  if (gone) throw new Error(`websocketd exited before listening:\n${err}`);
  return {
    port,
    ws: (path) => `ws://127.0.0.1:${port}${path}`,
    http: (path) => `http://127.0.0.1:${port}${path}`,
    stderr: () => err,
    stop() {
      if (!gone) p.kill("SIGTERM");
      return exited;
    },
  };
}
