// A token bucket per client (--ratelimit N[/S]): bursts of N, refilled at N per S seconds.

export interface Rate {
  messages: number;
  seconds: number;
}

/**
 * Holds up to `messages` tokens, starts full and refills continuously. The clock is passed in
 * (milliseconds), so the bucket is pure and a test drives it without waiting.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  readonly #capacity: number;
  readonly #perMs: number;

  constructor(rate: Rate, now: number) {
    this.#capacity = rate.messages;
    this.#perMs = rate.messages / (rate.seconds * 1000);
    this.#tokens = rate.messages;
    this.#last = now;
  }

  /** Spends one token for a message; false means the client is over its rate. */
  take(now: number): boolean {
    // A clock that steps back refills nothing rather than draining the bucket.
    const elapsed = Math.max(0, now - this.#last);
    this.#last = Math.max(this.#last, now);
    this.#tokens = Math.min(this.#capacity, this.#tokens + elapsed * this.#perMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
