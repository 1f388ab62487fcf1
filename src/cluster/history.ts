// --cachepersist in cluster mode: a room's history lives in Redis, capped, so the room's next
// owner (on any node) replays it. Only the lease holder writes, and only while it runs the room.
import type { Redis } from "ioredis";
import { Buffer } from "node:buffer";
import { type Entry, History } from "../room/history.ts";
import { roomKey } from "./lease.ts";

/** How long a room's history outlives its last owner. */
const KEEP_MS = 24 * 60 * 60 * 1000;

/** One stored entry: text as it is, binary in base64. */
interface Stored {
  b?: true;
  m: string;
}

/** Loads what the room's previous owners kept; their routed (`_to`) lines are left out. */
export async function loadHistory(
  client: Redis,
  prefix: string,
  room: string,
  size: number,
): Promise<History> {
  const key = roomKey(prefix, room, "history");
  const history = new RedisHistory(size, client, key);
  for (const raw of await client.lrange(key, -size, -1)) {
    try {
      const s = JSON.parse(raw) as Stored;
      history.restore({ msg: s.b ? new Uint8Array(Buffer.from(s.m, "base64")) : s.m, to: null });
    } catch {
      // An entry this version cannot read is skipped, not a reason to lose the rest.
    }
  }
  return history;
}

/**
 * A history that writes each entry through to Redis. An entry routed with `_to` is kept only
 * here: its recipients' ids mean nothing to the room's next owner, which numbers clients anew.
 */
class RedisHistory extends History {
  constructor(size: number, private readonly client: Redis, private readonly key: string) {
    super(size);
  }

  /** Adds a loaded entry without writing it back. */
  restore(entry: Entry): void {
    super.add(entry);
  }

  override add(entry: Entry): void {
    super.add(entry);
    if (entry.to !== null) return;
    const stored: Stored = typeof entry.msg === "string"
      ? { m: entry.msg }
      : { b: true, m: Buffer.from(entry.msg).toString("base64") };
    // Fire and forget: a lost write costs one line of replay, never the room.
    void this.client.multi()
      .rpush(this.key, JSON.stringify(stored))
      .ltrim(this.key, -this.size, -1)
      .pexpire(this.key, KEEP_MS)
      .exec()
      .catch(() => {});
  }
}
