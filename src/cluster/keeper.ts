// Keeps one room's lease: renews it, and says when the room must stop because it could not.
import { claimTooLate, hardDeadline, softDeadline, type Timing } from "./deadlines.ts";
import type { ClaimResult, Lease, LeaseStore } from "./lease.ts";

/** A monotonic clock in milliseconds and its timers; tests pass a fake one. */
export interface KeeperClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** performance.now() is monotonic on both runtimes; its origin is this process's start. */
export const realClock: KeeperClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimer: (handle) => clearTimeout(handle as number),
};

/** What the room's owner hears; an exception thrown by one is caught and dropped. */
export interface KeeperEvents {
  /** After the claim and each successful renewal: the deadlines, in clock ms (for the watchdog). */
  deadlines(soft: number, hard: number): void;
  /** A renewal failed or got no answer; the deadlines stay where they were. */
  failed?(): void;
  /** A renewal found the lease gone or someone else's: stop the room now. */
  lost(): void;
  /** The soft deadline passed with no successful renewal: close clients with 1012, stop the child. */
  soft(): void;
  /** The hard deadline passed: kill the child's process group. */
  hard(): void;
}

/** A claim's outcome, with when it was sent: a won lease's deadlines count from then. */
export type TimedClaim =
  | (ClaimResult & { readonly sentAt: number })
  /** Won, but answered too late to use: it was released (or will expire) unused. */
  | { readonly kind: "late"; readonly sentAt: number };

/** Claims room, giving back a win whose answer came after L − G − S as "late" (released). */
export async function claimRoom(
  store: LeaseStore,
  room: string,
  tm: Timing,
  clock: KeeperClock = realClock,
): Promise<TimedClaim> {
  const sentAt = clock.now();
  const result = await store.claim(room);
  if (result.kind !== "won" || !claimTooLate(sentAt, clock.now(), tm)) {
    return { ...result, sentAt };
  }
  // Its soft deadline has passed already; a failed release just lets the lease expire.
  await store.release(room, result.lease).catch(() => false);
  return { kind: "late", sentAt };
}

export type KeeperState = "renewing" | "lost" | "expired" | "stopped";

export class LeaseKeeper {
  #state: KeeperState = "renewing";
  #soft = 0;
  #hard = 0;
  #renewTimer: unknown = null;
  #softTimer: unknown = null;
  #hardTimer: unknown = null;
  #inFlight = false;

  /** claimSentAt: the clock's time when the winning claim was sent (not when it was answered). */
  constructor(
    private readonly store: LeaseStore,
    readonly room: string,
    readonly lease: Lease,
    claimSentAt: number,
    private readonly tm: Timing,
    private readonly events: KeeperEvents,
    private readonly clock: KeeperClock = realClock,
  ) {
    this.#anchor(claimSentAt);
    this.#scheduleRenewal(claimSentAt + tm.renewMs - clock.now());
  }

  get state(): KeeperState {
    return this.#state;
  }

  get softDeadline(): number {
    return this.#soft;
  }

  get hardDeadline(): number {
    return this.#hard;
  }

  /** The room ended: no more renewals or events. Then release() the lease, if wanted. */
  stop(): void {
    this.#state = "stopped";
    for (const timer of [this.#renewTimer, this.#softTimer, this.#hardTimer]) {
      if (timer !== null) this.clock.clearTimer(timer);
    }
    this.#renewTimer = this.#softTimer = this.#hardTimer = null;
  }

  /** Stops, then deletes the lease if it is still ours; false when it was not or Redis failed. */
  async release(): Promise<boolean> {
    this.stop();
    try {
      return await this.store.release(this.room, this.lease);
    } catch {
      // The lease then expires by itself within one lease length.
      return false;
    }
  }

  /** A claim or renewal sent at t succeeded: the deadlines move to follow it. */
  #anchor(t: number): void {
    this.#soft = softDeadline(t, this.tm);
    this.#hard = hardDeadline(t, this.tm);
    const now = this.clock.now();
    if (this.#softTimer !== null) this.clock.clearTimer(this.#softTimer);
    if (this.#hardTimer !== null) this.clock.clearTimer(this.#hardTimer);
    this.#softTimer = this.clock.setTimer(() => this.#onSoft(), this.#soft - now);
    this.#hardTimer = this.clock.setTimer(() => this.#onHard(), this.#hard - now);
    this.#emit("deadlines", this.#soft, this.#hard);
  }

  #scheduleRenewal(inMs: number): void {
    this.#renewTimer = this.clock.setTimer(() => {
      this.#renewTimer = null;
      void this.#renew();
    }, inMs);
  }

  async #renew(): Promise<void> {
    if (this.#state !== "renewing" || this.#inFlight) return;
    this.#inFlight = true;
    const sentAt = this.clock.now();
    let renewed: boolean | null = null;
    try {
      renewed = await this.store.renew(this.room, this.lease);
    } catch {
      // Not answered: it counts as not renewed and the deadlines stay where they were.
    }
    this.#inFlight = false;
    if (this.#state !== "renewing") return;
    if (renewed === false) {
      this.#state = "lost";
      if (this.#renewTimer !== null) this.clock.clearTimer(this.#renewTimer);
      this.#emit("lost");
      return;
    }
    if (renewed) this.#anchor(sentAt);
    else this.#emit("failed");
    // After a failure, try again sooner than the period: two more chances before the soft deadline.
    const next = renewed ? sentAt + this.tm.renewMs : this.clock.now() + this.tm.renewMs / 3;
    this.#scheduleRenewal(next - this.clock.now());
  }

  #onSoft(): void {
    this.#softTimer = null;
    // Lost already told the owner to stop, sooner than this.
    if (this.#state !== "renewing") return;
    this.#state = "expired";
    if (this.#renewTimer !== null) this.clock.clearTimer(this.#renewTimer);
    this.#renewTimer = null;
    this.#emit("soft");
  }

  #onHard(): void {
    this.#hardTimer = null;
    if (this.#state !== "stopped") this.#emit("hard");
  }

  #emit<K extends keyof KeeperEvents>(
    name: K,
    ...args: Parameters<NonNullable<KeeperEvents[K]>>
  ): void {
    try {
      (this.events[name] as ((...a: typeof args) => void) | undefined)?.(...args);
    } catch {
      // One room's handler failing must not stop its lease from being kept or let go.
    }
  }
}
