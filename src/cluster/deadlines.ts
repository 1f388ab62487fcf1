// Lease timing: every interval and deadline a room's owner keeps derives from the lease length.
//
// Let t be the local monotonic time at which the last successful claim or renewal was sent.
// Redis handled it after t, so the key lives until at least t + L and no rival can claim the
// room before then. Our child is told to stop at the soft deadline and killed at the hard one,
// a guard G before t + L, which absorbs clock-rate drift and the time a kill takes to land.
// No timestamps are compared across machines.

export interface Timing {
  /** L: the lease's time to live in Redis. */
  readonly leaseMs: number;
  /** Renew every L/3, so one failed renewal still leaves time for another. */
  readonly renewMs: number;
  /** S = min(2 s, L/5): what the child gets between the polite stop and SIGKILL. */
  readonly stopMs: number;
  /** G = L/5: margin kept between our hard deadline and the lease's expiry. */
  readonly guardMs: number;
}

export function timing(leaseMs: number): Timing {
  if (!(leaseMs > 0) || !Number.isFinite(leaseMs)) {
    throw new RangeError(`Cannot derive lease timing: length ${leaseMs} ms`);
  }
  return {
    leaseMs,
    renewMs: leaseMs / 3,
    stopMs: Math.min(2000, leaseMs / 5),
    guardMs: leaseMs / 5,
  };
}

/** When the room's clients get 1012 and the child's termination starts: t + L − G − S. */
export function softDeadline(t: number, tm: Timing): number {
  return t + tm.leaseMs - tm.guardMs - tm.stopMs;
}

/** When the child's process group is killed: t + L − G. */
export function hardDeadline(t: number, tm: Timing): number {
  return t + tm.leaseMs - tm.guardMs;
}

/**
 * A claim answered later than L − G − S after it was sent is released, not used: its soft
 * deadline has already passed by the time the child could start.
 */
export function claimTooLate(sentAt: number, repliedAt: number, tm: Timing): boolean {
  return repliedAt - sentAt > tm.leaseMs - tm.guardMs - tm.stopMs;
}
