// What a connection may do once in: --ratelimit's budget of messages, and its token's lifetime.
import { type Identity, onExpiry } from "../auth/identity.ts";
import { TokenBucket } from "../auth/ratelimit.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { CLOSE, type Member } from "./room.ts";
import type { Stats } from "./stats.ts";

export interface Limits {
  /** Whether this message may reach the room; false once the client is over its rate. */
  allow(): boolean;
  /** The connection has closed: its expiry timer is cancelled. */
  stop(): void;
}

const NONE: Limits = { allow: () => true, stop: () => {} };

/** The limits of one member; the member is closed with 1008 when it breaks one. */
export function limitsFor(
  config: Config,
  identity: Identity | null,
  member: Member,
  deps: { log: Logger; stats: Stats },
): Limits {
  const rate = config.rateLimit;
  const expires = identity !== null && identity.expiresAt !== null &&
    config.auth?.expireClose === true;
  if (!rate && !expires) return NONE;
  const close = (reason: string) => {
    deps.log.info(`closing client: ${reason}`, { id: member.id });
    member.close(CLOSE.policy, reason);
  };
  // Once over, always over: nothing more from this client reaches the room or the child.
  let over = false;
  const bucket = rate ? new TokenBucket(rate, Date.now()) : null;
  const cancel = expires ? onExpiry(identity, () => close("token expired")) : () => {};
  return {
    allow() {
      if (over) return false;
      if (!bucket || bucket.take(Date.now())) return true;
      over = true;
      deps.stats.rateLimited();
      close("rate limit exceeded");
      return false;
    },
    stop: cancel,
  };
}
