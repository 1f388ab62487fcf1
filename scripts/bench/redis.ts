// A throwaway redis-server for the cluster scenario: a free loopback port, nothing written to
// disk, stopped by its pid. Debian's redis-server package provides it.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stop } from "./peers.ts";

export interface Redis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Null when redis-server is installed, else the line saying how to get it. */
export function redisMissing(): string | null {
  try {
    execFileSync("sh", ["-c", "command -v redis-server"], { stdio: "ignore" });
    return null;
  } catch {
    return "redis-server not found (apt-get install -y redis-server): the cluster runs are skipped";
  }
}

/** Starts redis-server and resolves once it says it accepts connections. */
export async function startRedis(): Promise<Redis> {
  const dir = mkdtempSync(join(tmpdir(), "bench-redis-"));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
  const p = spawn("redis-server", [...args, "--dir", dir, "--daemonize", "no"], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${log}`)), 10_000);
    const onData = (d: string) => {
      log = (log + d).slice(-2000);
      if (!/Ready to accept connections/.test(log)) return;
      clearTimeout(timer);
      p.off("exit", onExit);
      resolve();
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${log.trim().split("\n").pop()}`));
    };
    p.stdout!.setEncoding("utf8").on("data", onData);
    p.stderr!.setEncoding("utf8").on("data", onData);
    p.once("exit", onExit);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    pid: p.pid!,
    async stop() {
      await stop(p);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
