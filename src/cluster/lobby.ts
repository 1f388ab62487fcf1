// The cluster-wide lobby in Redis: every live room with its owner, and every node, each entry
// expiring by itself unless its writer refreshes it (at each lease renewal).
//
// An entry is a field of a hash (`ss:room-info`, `ss:node-info`) holding JSON, with its expiry
// in a sorted set (`ss:rooms`, `ss:nodes`) scored by Redis's own clock, so nodes' clocks never
// meet. One hash rather than a key per room lets a listing be one script with declared keys.
import type { Redis } from "ioredis";
import { roomKey } from "./lease.ts";
import type { RoomSnapshot } from "../room/door.ts";

export interface RoomEntry {
  readonly room: string;
  readonly node: string;
  readonly epoch: number;
  readonly clients: number;
  /** Wall-clock ms when the room's child started. */
  readonly started: number;
  /** The room's --metadata text, if it set one. */
  readonly metadata: string | null;
}

export interface NodeEntry {
  readonly id: string;
  readonly advertise: string;
  readonly rooms: number;
  readonly connections: number;
  readonly draining: boolean;
}

export interface ClusterLobby {
  /** Writes the room's entry for ttlMs, only while `leaseValue` still holds the room's lease. */
  publishRoom(entry: RoomEntry, leaseValue: string, ttlMs: number): Promise<boolean>;
  /** Removes the room's entry if it is still the one of this epoch. */
  removeRoom(room: string, epoch: number): Promise<void>;
  rooms(): Promise<RoomEntry[]>;
  publishNode(entry: NodeEntry, ttlMs: number): Promise<void>;
  removeNode(id: string): Promise<void>;
  nodes(): Promise<NodeEntry[]>;
}

// KEYS expiries, entries [, lease]; ARGV field, json, ttlMs [, leaseValue]
const PUT = `
if KEYS[3] and redis.call('GET', KEYS[3]) ~= ARGV[4] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
`;

// KEYS expiries, entries; ARGV field [, epoch]: with an epoch, only that epoch's entry goes.
const DEL = `
if ARGV[2] then
  local cur = redis.call('HGET', KEYS[2], ARGV[1])
  if not cur or cjson.decode(cur).epoch ~= tonumber(ARGV[2]) then return 0 end
end
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('HDEL', KEYS[2], ARGV[1])
`;

// KEYS expiries, entries: drops what expired, returns the rest as [field, json, ...].
const LIST = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, field in ipairs(gone) do
  redis.call('ZREM', KEYS[1], field)
  redis.call('HDEL', KEYS[2], field)
end
return redis.call('HGETALL', KEYS[2])
`;

interface LobbyCommands {
  ssLobbyPut(...args: (string | number)[]): Promise<number>;
  ssLobbyDel(...args: (string | number)[]): Promise<number>;
  ssLobbyList(...args: string[]): Promise<string[]>;
}

export function redisLobby(client: Redis, prefix = "ss:"): ClusterLobby {
  client.defineCommand("ssLobbyPut", { lua: PUT });
  client.defineCommand("ssLobbyDel", { lua: DEL, numberOfKeys: 2 });
  client.defineCommand("ssLobbyList", { lua: LIST, numberOfKeys: 2 });
  const cmd = client as unknown as LobbyCommands;
  const rooms = [`${prefix}rooms`, `${prefix}room-info`];
  const nodes = [`${prefix}nodes`, `${prefix}node-info`];
  const ttl = (ms: number) => String(Math.max(1, Math.ceil(ms)));
  return {
    async publishRoom(entry, leaseValue, ttlMs) {
      const lease = roomKey(prefix, entry.room, "lease");
      // PUT takes a varying number of keys, so the count goes first.
      const args = [3, ...rooms, lease, entry.room, JSON.stringify(entry), ttl(ttlMs), leaseValue];
      return await cmd.ssLobbyPut(...args) === 1;
    },
    async removeRoom(room, epoch) {
      await cmd.ssLobbyDel(...rooms, room, String(epoch));
    },
    async rooms() {
      return parseAll(await cmd.ssLobbyList(...rooms), isRoomEntry);
    },
    async publishNode(entry, ttlMs) {
      await cmd.ssLobbyPut(2, ...nodes, entry.id, JSON.stringify(entry), ttl(ttlMs));
    },
    async removeNode(id) {
      await cmd.ssLobbyDel(...nodes, id);
    },
    async nodes() {
      return parseAll(await cmd.ssLobbyList(...nodes), isNodeEntry);
    },
  };
}

/** Parses [field, json, ...]; entries that are not valid (another version wrote them) are skipped. */
function parseAll<T>(flat: string[], valid: (v: unknown) => v is T): T[] {
  const out: T[] = [];
  for (let i = 1; i < flat.length; i += 2) {
    try {
      const value: unknown = JSON.parse(flat[i]);
      if (valid(value)) out.push(value);
    } catch {
      // Skipped, as above.
    }
  }
  return out;
}

function isRoomEntry(v: unknown): v is RoomEntry {
  const e = v as RoomEntry;
  return typeof e === "object" && e !== null && typeof e.room === "string" &&
    typeof e.node === "string" && Number.isSafeInteger(e.epoch) &&
    Number.isInteger(e.clients) && Number.isFinite(e.started) &&
    (e.metadata === null || typeof e.metadata === "string");
}

function isNodeEntry(v: unknown): v is NodeEntry {
  const e = v as NodeEntry;
  return typeof e === "object" && e !== null && typeof e.id === "string" &&
    typeof e.advertise === "string" && Number.isInteger(e.rooms) &&
    Number.isInteger(e.connections) && typeof e.draining === "boolean";
}

/** An entry as the API and the lobby page show a room. */
export function roomSnapshot(e: RoomEntry): RoomSnapshot {
  let metadata: Record<string, unknown> | null = null;
  try {
    metadata = e.metadata === null ? null : JSON.parse(e.metadata);
  } catch {
    // Written by a node of another version: the room is shown without it.
  }
  return { name: e.room, connections: e.clients, metadata, node: e.node };
}
