// How long the client waits before its next reconnect: exponential backoff with jitter.

export interface Backoff {
  /** The wait before the first retry, in ms, before jitter. */
  base: number;
  /** The longest wait, in ms, before jitter. */
  max: number;
  /** Each failed attempt multiplies the wait by this. */
  factor: number;
  /**
   * The share of the wait that is random, 0 to 1: 0.5 waits between half and all of it. Without
   * it, every tab a server restart dropped would come back in the same millisecond.
   */
  jitter: number;
}

export const DEFAULT_BACKOFF: Backoff = { base: 500, max: 30_000, factor: 2, jitter: 0.5 };

/** The wait before attempt (0 for the first retry); random() returns [0, 1) like Math.random. */
export function backoffDelay(
  attempt: number,
  policy: Backoff,
  random: () => number = Math.random,
): number {
  const full = Math.min(policy.max, policy.base * policy.factor ** Math.max(0, attempt));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  return Math.round(full * (1 - jitter * random()));
}
