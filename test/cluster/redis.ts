// Test harness: a real redis-server on a free loopback port, no persistence, stopped by pid.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Buffer } from "node:buffer";
import { alive, waitFor } from "../e2e/harness.ts";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The running redis-server's pid (a new one after restartEmpty). */
  readonly pid: number;
  /** Stops it (SIGTERM, then SIGKILL) and waits for the process to be gone. */
  stop(): Promise<void>;
  /** Stops it and starts a fresh, empty one on the same port: Redis lost its data. */
  restartEmpty(): Promise<void>;
  /** SIGSTOP: connections stay open, nothing is answered. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

/** A port nothing listens on now (another process may still take it before us: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts a child and resolves when a line of its output matches ready; rejects quoting it. */
export function spawnUntil(
  cmd: string,
  args: string[],
  ready: RegExp,
  cwd: string,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        child.stdout!.off("data", onData);
        child.stderr!.off("data", onData);
        child.off("exit", onExit);
        // Keep draining so a chatty child never blocks on a full pipe.
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`${cmd} exited (${code}) before it was ready:\n${output.slice(-2000)}`));
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", onExit);
    child.once("error", reject);
  });
}

/** Sends SIGTERM, then SIGKILL after graceMs, and resolves once the pid is gone. */
export async function stopPid(pid: number, graceMs = 3000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGCONT");
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  try {
    await waitFor(() => !alive(pid), `pid ${pid} to exit on SIGTERM`, graceMs);
  } catch {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Gone between the check and the kill.
    }
    await waitFor(() => !alive(pid), `pid ${pid} to exit on SIGKILL`, 5000);
  }
}

async function launch(port: number, dir: string): Promise<ChildProcess> {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
  ];
  return await spawnUntil("redis-server", args, /Ready to accept connections/, dir);
}

/** Starts redis-server on a free port, retrying when another process took the port first. */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "ss-redis-"));
  let port = 0;
  let child: ChildProcess | null = null;
  for (let attempt = 0; child === null; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir);
    } catch (err) {
      if (attempt >= 4 || !/in use|bind/i.test(String(err))) throw err;
    }
  }
  let current: ChildProcess = child;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return current.pid!;
    },
    async stop() {
      await stopPid(current.pid!);
      rmSync(dir, { recursive: true, force: true });
    },
    async restartEmpty() {
      await stopPid(current.pid!);
      current = await launch(port, dir);
    },
    pause: () => process.kill(current.pid!, "SIGSTOP"),
    resume: () => process.kill(current.pid!, "SIGCONT"),
  };
}
