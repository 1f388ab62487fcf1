// Reading a process's CPU time and memory from /proc (Linux): how the bench knows who was busy.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let tick = 0;
/** Seconds per clock tick, the unit of /proc/PID/stat's times. */
function tickSeconds(): number {
  if (tick === 0) {
    const hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    tick = 1 / (hz > 0 ? hz : 100);
  }
  return tick;
}

/** The fields of /proc/PID/stat after the command name; [0] is field 3 (state). */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

export interface CpuTimes {
  /** The process's own user + system seconds. */
  self: number;
  /** Seconds of children it has waited for (exited ones). */
  reaped: number;
}

export function cpuTimes(pid: number): CpuTimes {
  const f = statFields(pid);
  if (!f) return { self: 0, reaped: 0 };
  const t = tickSeconds();
  return { self: (Number(f[11]) + Number(f[12])) * t, reaped: (Number(f[13]) + Number(f[14])) * t };
}

/** Resident memory in bytes; 0 when the process is gone. */
export function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Proportional memory in bytes: shared pages split between their users, so a thousand `cat`
 * processes are not charged a thousand copies of libc. Falls back to RSS.
 */
export function pss(pid: number): number {
  try {
    const m = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) * 1024 : rss(pid);
  } catch {
    return rss(pid);
  }
}

/** Every live process below pid. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (!f) continue;
    const parent = Number(f[1]);
    const list = children.get(parent) ?? [];
    list.push(Number(name));
    children.set(parent, list);
  }
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    for (const c of children.get(todo.pop()!) ?? []) {
      out.push(c);
      todo.push(c);
    }
  }
  return out;
}

/** CPU seconds so far of a server, its children (live and reaped) and the load workers. */
export interface Usage {
  wall: number;
  server: number;
  children: number;
  clients: number;
  /** Busy seconds of the whole machine, all cores: kernel work no process is charged with too. */
  machine: number;
}

/** Per cent of one core the machine is busy over `ms`, before we add any load. */
export async function backgroundLoad(ms = 1000): Promise<number> {
  const a = machineBusy();
  const t = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((machineBusy() - a) / ((performance.now() - t) / 1000)) * 100;
}

/** Seconds all cores spent not idle, from /proc/stat. */
function machineBusy(): number {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1);
  const ticks = f.map(Number);
  const idle = ticks[3] + (ticks[4] ?? 0);
  // guest time is already counted in user
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - idle) * tickSeconds();
}

export function usage(server: number, workers: number[]): Usage {
  const s = cpuTimes(server);
  const kids = descendants(server).reduce((n, p) => n + cpuTimes(p).self, 0);
  return {
    wall: performance.now() / 1000,
    server: s.self,
    children: kids + s.reaped,
    clients: workers.reduce((n, p) => n + cpuTimes(p).self, 0),
    machine: machineBusy(),
  };
}

export interface Busy {
  server: number;
  children: number;
  clients: number;
  machine: number;
  /** The room's owner node and its children, when the server only relays to it. */
  owner?: Busy;
}

/** Per cent of one core each used between two samples (the machine's up to 100 × cores). */
export function busy(a: Usage, b: Usage): Busy {
  const wall = Math.max(b.wall - a.wall, 1e-9);
  const pct = (x: number, y: number) => Math.max(0, ((y - x) / wall) * 100);
  return {
    server: pct(a.server, b.server),
    children: pct(a.children, b.children),
    clients: pct(a.clients, b.clients),
    machine: pct(a.machine, b.machine),
  };
}

/**
 * Resolves once pid has used less than one clock tick of CPU over a window of `windowMs`, or
 * after `maxMs`: the server has finished with the last run (closing its sockets, ending a room)
 * before the next is timed.
 */
export async function settled(pid: number, windowMs = 100, maxMs = 3_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = cpuTimes(pid).self;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = cpuTimes(pid).self;
    if (now === last) return;
    last = now;
  }
}
