// What /proc and ps say about the server: memory, open descriptors, children, zombies.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { alive, waitFor } from "../e2e/harness.ts";

/** Resident memory of a process in MiB (VmRSS). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** Open file descriptors of a process. */
export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** What the descriptors point at, for a failure message ("socket:[…]" → "socket"). */
export function fdKinds(pid: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = execFileSync("readlink", [`/proc/${pid}/fd/${fd}`], { encoding: "utf8" }).trim();
    } catch {
      continue; // closed while we looked
    }
    const kind = target.replace(/:\[\d+\]$/, "").replace(/^\/.*/, "file");
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

export interface Proc {
  pid: number;
  stat: string;
  args: string;
}

/** The ROOM a child was started for (from /proc/PID/environ), for failure messages. */
export function roomOf(pid: number): string {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    return env.find((v) => v.startsWith("ROOM="))?.slice(5) ?? "(no ROOM)";
  } catch {
    return "(gone)";
  }
}

/** One line per process: pid, state, room and command, for failure messages. */
export function describeProcs(procs: Proc[]): string {
  return procs.map((p) => `${p.pid} ${p.stat} room=${roomOf(p.pid)} ${p.args}`).join("\n");
}

/**
 * The direct children of pid (ps exits 1 when there are none: that is an empty list), except
 * the esbuild service tsx may start in a Node server run from sources: not a room's child.
 */
export function childrenOf(pid: number): Proc[] {
  let out = "";
  try {
    out = execFileSync("ps", ["-o", "pid=,stat=,args=", "--ppid", String(pid)], {
      encoding: "utf8",
    });
  } catch {
    return [];
  }
  return out.split("\n").filter((l) => l.trim() !== "").map((line) => {
    const [, p, stat, args] = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line)!;
    return { pid: Number(p), stat, args };
  }).filter((p) => !/\besbuild\b.*--service/.test(p.args));
}

/** Waits until the server has no child process left (none running, none a zombie). */
export async function noChildren(serverPid: number, ms = 10_000): Promise<void> {
  await waitFor(() => childrenOf(serverPid).length === 0, "the server to have no child", ms)
    .catch((e) => {
      const left = describeProcs(childrenOf(serverPid));
      throw new Error(`${(e as Error).message}; left:\n${left}`);
    });
}

/** Waits until every pid is gone (zombies count as gone: they are the parent's to reap). */
export async function allGone(pids: number[], what: string, ms = 10_000): Promise<void> {
  await waitFor(() => pids.every((p) => !alive(p)), what, ms).catch(() => {
    const left = pids.filter((p) => alive(p));
    throw new Error(`${what}: still alive after ${ms} ms: ${left.join(", ")}`);
  });
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak. */
export function rssSampler(pid: number, everyMs = 100): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssMiB(pid));
    } catch {
      // The process ended; the peak stands.
    }
  }, everyMs);
  // A test that fails before stop() must not keep the test process alive.
  (timer as { unref?: () => void }).unref?.();
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}
