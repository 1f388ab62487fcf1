// Room leases in Redis: claim, renew, release and look up, each one atomic Lua script.
import type { Redis } from "ioredis";

/** Who holds a room: parsed from the lease value `EPOCH|NODE|ADVERTISE`. */
export interface Lease {
  /** Strictly increasing per room across the cluster: the child's fencing token. */
  readonly epoch: number;
  readonly node: string;
  /** HOST:PORT other nodes relay the room's clients to. */
  readonly advertise: string;
  /** The raw value; renew and release act only while the key still holds exactly this. */
  readonly value: string;
}

export type ClaimResult =
  /** The room is ours: start its child with lease.epoch. */
  | { readonly kind: "won"; readonly lease: Lease }
  /** Another claim is live: relay to lease.advertise (it may be this node's own, see below). */
  | { readonly kind: "held"; readonly lease: Lease }
  /** Redis lost its data recently: no claim succeeds for retryMs more. */
  | { readonly kind: "quiet"; readonly retryMs: number };

/**
 * The lease engine, kept this small so another one (etcd, NATS KV) is an addition. Every
 * method rejects when the store did not answer: the caller cannot know what happened then.
 */
export interface LeaseStore {
  claim(room: string): Promise<ClaimResult>;
  /** True: extended by a full lease from now. False: the lease is gone or someone else's. */
  renew(room: string, lease: Lease): Promise<boolean>;
  /** True when this lease was still held and is now deleted. */
  release(room: string, lease: Lease): Promise<boolean>;
  owner(room: string): Promise<Lease | null>;
}

export interface RedisLeaseOptions {
  nodeId: string;
  advertise: string;
  leaseMs: number;
  /** How long no claim succeeds after Redis lost its data (default: one lease). */
  quietMs?: number;
  /** Key prefix, to share one Redis between clusters (default "ss:"). */
  prefix?: string;
}

// KEYS lease, epoch, alive, quiet; ARGV nodeId, advertise, ttlMs, quietMs.
// The alive marker has no TTL, so its absence means this Redis started empty: a lease we
// cannot see may still be honoured by a running child elsewhere, hence the quiet period.
// The epoch comes from Redis's clock so it keeps rising even when the epoch key was lost.
const CLAIM = `
local cur = redis.call('GET', KEYS[1])
if cur then return {0, cur} end
if redis.call('EXISTS', KEYS[3]) == 0 then
  redis.call('SET', KEYS[3], '1')
  if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[4], '1', 'PX', ARGV[4]) end
end
local q = redis.call('PTTL', KEYS[4])
if q > 0 then return {-1, tostring(q)} end
local t = redis.call('TIME')
local epoch = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if epoch <= last then epoch = last + 1 end
local e = string.format('%d', epoch)
redis.call('SET', KEYS[2], e, 'PX', 86400000)
local val = e .. '|' .. ARGV[1] .. '|' .. ARGV[2]
redis.call('SET', KEYS[1], val, 'PX', ARGV[3])
return {1, val}
`;

// KEYS lease; ARGV value, ttlMs.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

// KEYS lease; ARGV value.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The scripts as ioredis registers them with defineCommand (resent after NOSCRIPT). */
interface LeaseCommands {
  ssClaim(...args: (string | number)[]): Promise<[number, string]>;
  ssRenew(...args: (string | number)[]): Promise<number>;
  ssRelease(...args: (string | number)[]): Promise<number>;
}

const SCRIPTS: Record<keyof LeaseCommands, { lua: string; numberOfKeys: number }> = {
  ssClaim: { lua: CLAIM, numberOfKeys: 4 },
  ssRenew: { lua: RENEW, numberOfKeys: 1 },
  ssRelease: { lua: RELEASE, numberOfKeys: 1 },
};

/** Every key of one room shares the `{ROOM}` hash tag; the name is percent-encoded. */
export function roomKey(
  prefix: string,
  room: string,
  kind: "lease" | "epoch" | "info" | "history",
): string {
  return `${prefix}{${encodeURIComponent(room)}}:${kind}`;
}

/** Splits `EPOCH|NODE|ADVERTISE`; null when the value is not one of ours. */
export function parseLease(value: string): Lease | null {
  const first = value.indexOf("|");
  const last = value.lastIndexOf("|");
  if (first <= 0 || last === first) return null;
  const digits = value.slice(0, first);
  const epoch = Number(digits);
  if (!/^\d+$/.test(digits) || !Number.isSafeInteger(epoch) || epoch <= 0) return null;
  return { epoch, node: value.slice(first + 1, last), advertise: value.slice(last + 1), value };
}

export function redisLeaseStore(client: Redis, opts: RedisLeaseOptions): LeaseStore {
  const prefix = opts.prefix ?? "ss:";
  const quietMs = opts.quietMs ?? opts.leaseMs;
  const ttl = String(Math.ceil(opts.leaseMs));
  // Defining again on a shared client (two stores on one connection) is harmless.
  for (const [name, def] of Object.entries(SCRIPTS)) client.defineCommand(name, def);
  const cmd = client as unknown as LeaseCommands;
  const mustParse = (value: string) => {
    const lease = parseLease(value);
    if (!lease) throw new Error(`Cannot read lease ${JSON.stringify(value)}: not EPOCH|NODE|ADDR`);
    return lease;
  };
  return {
    async claim(room) {
      const [code, value] = await cmd.ssClaim(
        roomKey(prefix, room, "lease"),
        roomKey(prefix, room, "epoch"),
        `${prefix}alive`,
        `${prefix}quiet`,
        opts.nodeId,
        opts.advertise,
        ttl,
        String(Math.ceil(quietMs)),
      );
      if (code === -1) return { kind: "quiet", retryMs: Number(value) };
      return { kind: code === 1 ? "won" : "held", lease: mustParse(value) };
    },
    async renew(room, lease) {
      return await cmd.ssRenew(roomKey(prefix, room, "lease"), lease.value, ttl) === 1;
    },
    async release(room, lease) {
      return await cmd.ssRelease(roomKey(prefix, room, "lease"), lease.value) === 1;
    },
    async owner(room) {
      const value = await client.get(roomKey(prefix, room, "lease"));
      return value === null ? null : parseLease(value);
    },
  };
}
