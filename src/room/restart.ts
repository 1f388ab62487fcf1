// --restart: a room's child that crashes while clients are connected is started again, at
// most N times in any sliding minute, each restart within that minute waiting twice as long
// as the one before. The room and its members stay; the new child is told of every member
// again, in id order, so it can rebuild who is present.
import type { ExitStatus } from "../runtime/types.ts";
import type { Input } from "../codec/input.ts";
import type { Member } from "./member.ts";
import type { Ending } from "./process.ts";

const WINDOW_MS = 60_000;
/** The first restart waits this long; a crash loop is never a busy loop. */
const FIRST_MS = 100;
const LONGEST_MS = 10_000;

/** What clients get in --json mode when their room's process starts again. */
export const RESTART_MESSAGE = '{"t":"Restart"}';

export class Restarts {
  /** When each restart of the last minute happened. */
  private readonly times: number[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly limit: number, private readonly now: () => number = Date.now) {}

  /** Milliseconds to wait before the next start, or null when the minute's restarts are used. */
  next(): number | null {
    const t = this.now();
    while (this.times.length > 0 && t - this.times[0] >= WINDOW_MS) this.times.shift();
    if (this.times.length >= this.limit) return null;
    const delay = Math.min(FIRST_MS * 2 ** this.times.length, LONGEST_MS);
    this.times.push(t);
    return delay;
  }

  /** Runs start after ms, unless cancel() comes first. */
  schedule(ms: number, start: () => void): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      start();
    }, ms);
  }

  /** Cancels a scheduled start; true when one was pending (no child runs then). */
  cancel(): boolean {
    const pending = this.timer !== undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    return pending;
  }
}

/** A crash: an exit with an error code or by a signal (a spawn failure is not restarted). */
export function crashed(how: Ending): how is { status: ExitStatus } {
  return "status" in how && (how.status.signal !== null || how.status.code !== 0);
}

/** The join announcements a new child gets for the members still there, in id order. */
export function rejoins(members: Iterable<Member>, codec: Input): Uint8Array[] {
  const sorted = [...members].sort((a, b) => a.id - b.id);
  return sorted.flatMap((m) => codec.join(m) ?? []);
}
