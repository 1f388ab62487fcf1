// The cluster-wide lobby: each owner publishes its rooms in Redis, any node lists them all.
//
// A room's entry is a hash that expires with its lease unless the owner refreshes it (at every
// renewal), so a node that dies takes its entries with it within one lease length; the set of
// names is only an index, pruned of names whose hash is gone.
import type { Redis } from "ioredis";
import type { RoomSnapshot } from "../room/door.ts";
import { roomKey } from "./lease.ts";

/** What the owner says of one of its rooms. */
export interface RoomInfo {
  connections: number;
  metadata: Record<string, unknown> | null;
  epoch: number;
}

export class Lobby {
  private readonly index: string;

  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly node: string,
    private readonly leaseMs: number,
  ) {
    this.index = `${prefix}rooms`;
  }

  async publish(room: string, info: RoomInfo): Promise<void> {
    const key = roomKey(this.prefix, room, "info");
    await this.client.multi()
      .hset(key, {
        node: this.node,
        connections: String(info.connections),
        metadata: JSON.stringify(info.metadata),
        epoch: String(info.epoch),
      })
      .pexpire(key, Math.ceil(this.leaseMs))
      .sadd(this.index, room)
      .exec();
  }

  async remove(room: string): Promise<void> {
    await this.client.multi().del(roomKey(this.prefix, room, "info")).srem(this.index, room)
      .exec();
  }

  /** Every live room of the cluster, sorted by name. */
  async list(): Promise<RoomSnapshot[]> {
    const names = (await this.client.smembers(this.index)).sort((a, b) =>
      a < b ? -1 : a > b ? 1 : 0
    );
    if (names.length === 0) return [];
    const pipe = this.client.pipeline();
    for (const name of names) pipe.hgetall(roomKey(this.prefix, name, "info"));
    const replies = (await pipe.exec()) ?? [];
    const rooms: RoomSnapshot[] = [];
    const gone: string[] = [];
    names.forEach((name, i) => {
      const snapshot = toSnapshot(name, replies[i]?.[1] as Record<string, string> | undefined);
      if (snapshot) rooms.push(snapshot);
      else gone.push(name);
    });
    if (gone.length > 0) void this.client.srem(this.index, ...gone).catch(() => {});
    return rooms;
  }

  async find(room: string): Promise<RoomSnapshot | null> {
    return toSnapshot(room, await this.client.hgetall(roomKey(this.prefix, room, "info")));
  }
}

function toSnapshot(name: string, h: Record<string, string> | undefined): RoomSnapshot | null {
  if (!h || h.node === undefined) return null;
  let metadata: Record<string, unknown> | null = null;
  try {
    metadata = JSON.parse(h.metadata ?? "null");
  } catch {
    // Written by a node of another version: shown without metadata rather than not at all.
  }
  return { name, connections: Number(h.connections) || 0, metadata, node: h.node };
}
