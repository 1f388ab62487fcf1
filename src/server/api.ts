// --api: the live rooms as JSON (S7), for lobby pages and operators.
import { Hono } from "hono";
import type { RoomRegistry } from "../room/registry.ts";
import type { Room } from "../room/room.ts";

export interface RoomInfo {
  name: string;
  connections: number;
  metadata: Record<string, unknown> | null;
}

export function roomInfo(room: Room): RoomInfo {
  return { name: room.name, connections: room.members.size, metadata: room.metadata };
}

/** Routes under /api. A room named "rooms" is listed, but /api/rooms is always the list. */
export function apiRoutes(registry: RoomRegistry): Hono {
  const api = new Hono();
  const find = (name: string) => registry.find(name);
  const missing = { error: "no such room" };
  api.get("/rooms", (c) => c.json(registry.list().map(roomInfo)));
  api.get("/:room", (c) => {
    const room = find(c.req.param("room"));
    return room ? c.json(roomInfo(room)) : c.json(missing, 404);
  });
  api.get("/:room/connections", (c) => {
    const room = find(c.req.param("room"));
    return room ? c.json(room.members.size) : c.json(missing, 404);
  });
  api.get("/:room/metadata", (c) => {
    const room = find(c.req.param("room"));
    return room ? c.json(room.metadata) : c.json(missing, 404);
  });
  return api;
}
