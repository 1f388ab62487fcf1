// The watchdog's logic: kill each room's process group at its deadlines, and all of them when
// the server is gone. It runs in a process of its own, so a stalled, stopped or killed server
// cannot keep a room alive past its lease (watchdog-process.ts starts it).
//
// The server writes one line per change on the watchdog's stdin:
//   PGID SOFT_MS HARD_MS   the group gets SIGTERM in SOFT_MS and SIGKILL in HARD_MS
//   PGID done              the group ended: forget it
// Times are milliseconds from when the line is read, not instants of a shared clock: Deno's
// process.hrtime counts from its own start and no Deno API reads CLOCK_MONOTONIC, so instants
// could not be compared between the two processes. A pipe delivers a line within microseconds,
// which can only make a deadline that much later, and the lease's guard time covers it.

/** The hidden argument that makes the executable run as a watchdog. */
export const WATCHDOG_FLAG = "--internal-watchdog";

export type GroupSignal = "SIGTERM" | "SIGKILL";

/** What the watchdog tells the server (as one JSON line each on its stdout). */
export type WatchdogEvent =
  | { readonly kind: "signalled"; readonly pgid: number; readonly signal: GroupSignal }
  | { readonly kind: "failed"; readonly pgid: number; readonly message: string }
  | { readonly kind: "ignored"; readonly line: string };

/** What the watchdog needs from its process; tests give fakes. */
export interface WatchdogIo {
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** Signals a whole process group; false when no process of it was left. */
  kill(pgid: number, signal: GroupSignal): boolean;
  report(event: WatchdogEvent): void;
}

interface Group {
  soft: unknown;
  hard: unknown;
}

// setTimeout fires at once beyond 2^31 − 1 ms, and no lease is anywhere near that long.
const MAX_MS = 2 ** 31 - 1;

export function deadlineLine(pgid: number, softInMs: number, hardInMs: number): string {
  return `${pgid} ${Math.max(0, Math.floor(softInMs))} ${Math.max(0, Math.floor(hardInMs))}\n`;
}

export function doneLine(pgid: number): string {
  return `${pgid} done\n`;
}

export class Watchdog {
  readonly #groups = new Map<number, Group>();
  #gone = false;

  constructor(private readonly io: WatchdogIo) {}

  /** The process groups it would kill now if the server went away. */
  get groups(): number[] {
    return [...this.#groups.keys()];
  }

  /** Handles one protocol line; a bad one is reported and ignored. */
  line(text: string): void {
    if (this.#gone) return;
    const parts = text.trim().split(/\s+/);
    const pgid = Number(parts[0]);
    // kill(-1) would signal every process we may signal, kill(0) our own group: never.
    if (!Number.isSafeInteger(pgid) || pgid < 2) return this.#bad(text);
    if (parts.length === 2 && parts[1] === "done") return this.#forget(pgid);
    const soft = Number(parts[1]);
    const hard = Number(parts[2]);
    const valid = (ms: number) => Number.isFinite(ms) && ms >= 0 && ms <= MAX_MS;
    if (parts.length !== 3 || !valid(soft) || !valid(hard) || soft > hard) return this.#bad(text);
    this.#forget(pgid);
    this.#groups.set(pgid, {
      soft: this.io.setTimer(() => this.#signal(pgid, "SIGTERM"), soft),
      hard: this.io.setTimer(() => this.#signal(pgid, "SIGKILL"), hard),
    });
  }

  /** The pipe closed, so the server died or quit: kill every group it left behind. */
  serverGone(): void {
    if (this.#gone) return;
    this.#gone = true;
    for (const pgid of this.groups) this.#signal(pgid, "SIGKILL");
  }

  #signal(pgid: number, signal: GroupSignal): void {
    let alive = false;
    try {
      alive = this.io.kill(pgid, signal);
    } catch (err) {
      this.io.report({ kind: "failed", pgid, message: (err as Error).message });
    }
    if (alive) this.io.report({ kind: "signalled", pgid, signal });
    // After SIGKILL the group is gone, and its id may soon name someone else's group.
    if (signal === "SIGKILL" || !alive) this.#forget(pgid);
  }

  #forget(pgid: number): void {
    const group = this.#groups.get(pgid);
    if (!group) return;
    this.io.clearTimer(group.soft);
    this.io.clearTimer(group.hard);
    this.#groups.delete(pgid);
  }

  #bad(text: string): void {
    this.io.report({ kind: "ignored", line: text.slice(0, 80) });
  }
}

/** Feeds lines to a watchdog until they end, then kills what is left. */
export async function runWatchdog(lines: AsyncIterable<string>, io: WatchdogIo): Promise<void> {
  const dog = new Watchdog(io);
  try {
    for await (const line of lines) if (line.trim() !== "") dog.line(line);
  } finally {
    dog.serverGone();
  }
}
