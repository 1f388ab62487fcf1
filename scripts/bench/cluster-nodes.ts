// Two scalesocket nodes sharing one Redis, for the cluster scenario: the owner runs the room,
// the other node relays to it. The clients reach the owner (direct) or the other node (relayed).
import { spawn } from "node:child_process";
import process from "node:process";
import WebSocket from "ws";
import { BUNDLE, type Programs, ROOT } from "./build.ts";
import { DENO, freePort, NODE, type Program, type Server, stop, waitForPort } from "./peers.ts";
import type { ChildProcess } from "node:child_process";
import type { Redis } from "./redis.ts";

/** Clients on the owner, on the other node (relayed), or on the owner through a TCP proxy. */
export type Mode = "direct" | "relayed" | "proxied";
/** What runs the bundle of both nodes. */
export type NodeRuntime = "node" | "deno";

/**
 * Room lease in seconds, the default. A fresh Redis refuses claims for one lease, but a shorter
 * one is lost under load: at 5 s, an owner saturated by fan-out on a busy machine missed its
 * renewals and closed the room with 1012.
 */
const LEASE = 15;
/** Only signs the relayed handshakes between the bench's own nodes. */
const SECRET = "bench-cluster-secret-not-for-use";
let started = 0;

interface Node {
  pid: number;
  port: number;
  log(): string;
  stop(): Promise<void>;
}

async function startNode(
  redis: Redis,
  child: string[],
  id: string,
  runtime: NodeRuntime,
): Promise<Node> {
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const args = [BUNDLE, "--addr", addr, "--advertise", addr, "--cluster", redis.url];
  args.push("--node-id", id, "--lease", String(LEASE), "--drain", "0", ...child);
  const [cmd, ...pre] = runtime === "node" ? [NODE] : [DENO, "run", "-A"];
  const p = spawn(cmd, [...pre, ...args], {
    cwd: ROOT,
    // The secret goes by environment, as the help advises, not on the command line.
    env: { ...process.env, NO_COLOR: "1", SCALESOCKET_CLUSTER_SECRET: SECRET },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  p.stderr!.setEncoding("utf8").on("data", (d: string) => log = (log + d).slice(-4000));
  try {
    await waitForPort(p, port, 10_000);
  } catch (err) {
    await stop(p);
    throw new Error(`${(err as Error).message}: ${log.trim().split("\n").pop()}`);
  }
  return { pid: p.pid!, port, log: () => log, stop: () => stop(p) };
}

/**
 * Opens a client on the owner so that it claims the room. A Redis that just started refuses
 * claims (503) for one lease: the claim is tried again until it is granted.
 */
async function claim(url: string, ms: number): Promise<WebSocket> {
  const deadline = Date.now() + ms;
  for (;;) {
    const ws = new WebSocket(url);
    const outcome = await new Promise<string | null>((resolve) => {
      ws.once("open", () => resolve(null));
      ws.once("unexpected-response", (_req, res) => resolve(`HTTP ${res.statusCode}`));
      ws.once("error", (err) => resolve(err.message));
    });
    if (outcome === null) return ws;
    ws.terminate();
    if (Date.now() > deadline) throw new Error(`the owner did not claim ${url}: ${outcome}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts the owner and the other node, has the owner claim `room`, and returns the node the
 * clients reach as the Server. Its CPU counts as the server's; the owner's is in `also`.
 */
export async function startPair(
  redis: Redis,
  mode: Mode,
  program: Program,
  progs: Programs,
  room: string,
  runtime: NodeRuntime = "node",
): Promise<Server> {
  const child = program === "lines" ? [NODE, progs.lines] : ["cat"];
  const n = started++;
  const [owner, other] = await Promise.all([
    startNode(redis, child, `owner${n}`, runtime),
    startNode(redis, child, `other${n}`, runtime),
  ]);
  const stopAll = async () => void await Promise.all([owner.stop(), other.stop()]);
  let claimer: WebSocket | null = null;
  try {
    claimer = await claim(`ws://127.0.0.1:${owner.port}${room}`, (LEASE + 10) * 1000);
  } catch (err) {
    await stopAll();
    throw err;
  }
  const entry = mode === "relayed" ? other : owner;
  let proxy: { p: ChildProcess; port: number } | null = null;
  if (mode === "proxied") {
    try {
      proxy = await startProxy(progs, owner.port);
    } catch (err) {
      claimer.terminate();
      await stopAll();
      throw err;
    }
  }
  const port = proxy?.port ?? entry.port;
  return {
    pid: entry.pid,
    port,
    // The process beside the server: the owner a relayed client's node relays to, or the proxy.
    also: mode === "relayed" ? owner.pid : proxy?.p.pid,
    // Two at a time: a door that makes concurrent joins of a room owned elsewhere queue behind
    // one claim refuses a burst with 503 (it left 6 of 10 out). Connecting is not measured.
    joining: mode === "relayed" ? 2 : undefined,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    // The claiming client leaves once the measured ones are in: they keep the room on the owner.
    joined: () => claimer?.close(),
    log: () => `${entry.log()}${mode === "relayed" ? owner.log() : ""}`,
    stop: async () => {
      claimer?.terminate();
      if (proxy) await stop(proxy.p);
      await stopAll();
    },
  };
}

/** scripts/bench/tcp-proxy.ts in front of the owner's port. */
async function startProxy(
  progs: Programs,
  target: number,
): Promise<{ p: ChildProcess; port: number }> {
  const port = await freePort();
  const p = spawn(NODE, [progs.proxy, String(port), String(target)], { stdio: "ignore" });
  try {
    await waitForPort(p, port, 10_000);
  } catch (err) {
    await stop(p);
    throw err;
  }
  return { p, port };
}
