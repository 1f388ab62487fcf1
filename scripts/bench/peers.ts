// The servers compared: scalesocket's bundle on Node and on Deno, websocketd, and the bare `ws`
// ceiling (plain and corked). Starts one, waits until it listens, stops it and what it spawned.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { connect, createServer } from "node:net";
import process from "node:process";
import { BUNDLE, type Programs, ROOT } from "./build.ts";
import { descendants } from "./proc.ts";

export type PeerId =
  | "bare-http"
  | "bare"
  | "bare-cork"
  | "bare-frame"
  | "bare-pipe"
  | "bare-pipe-deno"
  | "node"
  | "deno"
  | "websocketd"
  | "cluster-direct"
  | "cluster-relayed"
  | "cluster-proxied"
  | "cluster-deno-direct"
  | "cluster-deno-relayed";
/**
 * What the room runs: the fan-out line printer, `cat` echoing each line back, or (hello) a
 * `cat` that first prints the wall-clock time it started, in nanoseconds.
 */
export type Program = "lines" | "cat" | "hello";

export const LABELS: Record<PeerId, string> = {
  "bare-http": "bare node:http",
  "bare": "bare ws",
  "bare-cork": "bare ws, corked",
  "bare-frame": "bare ws, corked, framed once",
  "bare-pipe": "bare ws, through a child",
  "bare-pipe-deno": "bare ws, through a child, on Deno",
  "node": "scalesocket node",
  "deno": "scalesocket deno",
  "websocketd": "websocketd",
  "cluster-direct": "cluster node, owner direct",
  "cluster-relayed": "cluster node, relayed to owner",
  "cluster-proxied": "cluster node, owner through a TCP proxy",
  "cluster-deno-direct": "cluster deno, owner direct",
  "cluster-deno-relayed": "cluster deno, relayed to owner",
};

export const DENO = `${ROOT}node_modules/.bin/deno`;
/** Node itself, also when this harness is run under Deno. */
export const NODE = process.versions.deno ? "node" : process.execPath;

export interface Server {
  pid: number;
  port: number;
  url(path: string): string;
  /** Another process whose CPU the run reports: the room's owner, when clients are relayed. */
  also?: number;
  /** How many clients may be connecting at once (64 unless the server needs fewer). */
  joining?: number;
  /** Called once the measured clients are connected. */
  joined?(): void;
  /** The last of what it wrote to stderr, for error messages. */
  log(): string;
  stop(): Promise<void>;
}

/** A port free right now, for the servers that cannot be asked for port 0 and report it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const addr = s.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function command(
  peer: PeerId,
  program: Program,
  progs: Programs,
  port: number,
): string[] {
  const child = program === "lines"
    ? [NODE, progs.lines]
    : program === "hello"
    ? ["sh", "-c", "date +%s%N; exec cat"]
    : ["cat"];
  const addr = ["--addr", `127.0.0.1:${port}`];
  switch (peer) {
    case "node":
      return [NODE, BUNDLE, ...addr, ...child];
    case "deno":
      // As README tells users to run it: the young generation capped at start-up.
      return [DENO, "run", "-A", "--v8-flags=--max-semi-space-size=2", BUNDLE, ...addr, ...child];
    case "websocketd":
      return ["websocketd", `--port=${port}`, "--address=127.0.0.1", ...child];
    case "bare-http":
      return [NODE, progs.bareHttp, String(port)];
    case "bare":
      return [NODE, progs.bare, "--port", String(port)];
    case "bare-cork":
      return [NODE, progs.bare, "--port", String(port), "--cork"];
    case "bare-frame":
      return [NODE, progs.bare, "--port", String(port), "--frame-once"];
    case "bare-pipe":
      return [NODE, progs.bare, "--port", String(port), "--pipe", ...child];
    case "bare-pipe-deno":
      return [DENO, "run", "-A", progs.bare, "--port", String(port), "--pipe", ...child];
    case "cluster-direct":
    case "cluster-relayed":
    case "cluster-proxied":
    case "cluster-deno-direct":
    case "cluster-deno-relayed":
      throw new Error("cluster nodes need Redis: cluster-nodes.ts starts them");
  }
}

export async function startPeer(
  peer: PeerId,
  program: Program,
  progs: Programs,
): Promise<Server> {
  // websocketd does not say which port it got for 0: give it one.
  const fixed = peer === "websocketd" ? await freePort() : 0;
  const [cmd, ...args] = command(peer, program, progs, fixed);
  const p = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  // Always drained: a server blocked on a full stderr pipe would measure nothing.
  p.stderr!.setEncoding("utf8").on("data", (d: string) => log = (log + d).slice(-4000));
  const port = fixed > 0 ? await waitForPort(p, fixed, 10_000) : await waitForLine(p, () => log);
  return {
    pid: p.pid!,
    port,
    url: (path) => `ws://127.0.0.1:${port}${path}`,
    log: () => log,
    stop: () => stop(p),
  };
}

function waitForLine(p: ChildProcess, log: () => string): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => fail("did not listen within 10 s"), 10_000);
    const check = () => {
      const m = /listening on http:\/\/\S+:(\d+)/.exec(log());
      if (m) done(() => resolve(Number(m[1])));
    };
    const fail = (why: string) => done(() => reject(new Error(`Server ${why}: ${log()}`)));
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    const done = (then: () => void) => {
      clearTimeout(deadline);
      p.stderr!.off("data", check);
      p.off("exit", onExit);
      then();
    };
    p.stderr!.on("data", check);
    p.once("exit", onExit);
  });
}

/** Resolves once a TCP connection to the port succeeds; polls every 2 ms. */
export async function waitForPort(p: ChildProcess, port: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (p.exitCode !== null) throw new Error(`Server exited with ${p.exitCode}`);
    if (await canConnect(port)) return port;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`Server did not listen on ${port} within ${ms} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

/** SIGTERM, up to 5 s for a graceful end, then SIGKILL; then whatever it spawned that is left. */
export async function stop(p: ChildProcess): Promise<void> {
  const kids = p.pid ? descendants(p.pid) : [];
  if (p.exitCode === null && p.signalCode === null) {
    const exited = new Promise((r) => p.once("exit", r));
    p.kill("SIGTERM");
    const timer = setTimeout(() => p.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  for (const pid of kids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone, as it should be.
    }
  }
}

/**
 * websocketd comes from Debian's package. Installed here when missing and we may (root with
 * apt-get); otherwise its runs are skipped with a message saying how to get it.
 */
export function ensureWebsocketd(install: boolean): string | null {
  const has = () => {
    try {
      execFileSync("sh", ["-c", "command -v websocketd"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return null;
  if (install && process.getuid?.() === 0) {
    try {
      execFileSync("sh", [
        "-c",
        "apt-get install -y websocketd || (apt-get update && apt-get install -y websocketd)",
      ], {
        stdio: "ignore",
        timeout: 300_000,
      });
    } catch {
      // Reported below.
    }
    if (has()) return null;
  }
  return "websocketd not found (install it with 'apt-get install -y websocketd'): its runs are skipped";
}
