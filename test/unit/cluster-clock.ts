// A fake monotonic clock for the lease keeper's unit tests: time moves only when told to.
import type { KeeperClock } from "../../src/cluster/keeper.ts";

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeClock implements KeeperClock {
  #now = 0;
  #timers: Timer[] = [];
  #ids = 0;

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.#ids, at: this.#now + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Runs every timer due up to `to`, in order, letting promise callbacks settle after each. */
  async advanceTo(to: number): Promise<void> {
    for (;;) {
      await settle();
      const due = this.#timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at || a.id - b.id);
      if (due.length === 0) break;
      const next = due[0];
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = to;
    await settle();
  }
}

/** Lets chains of resolved promises run to their end. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
