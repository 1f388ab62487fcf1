// --api: the live rooms as JSON (S7), for lobby pages and operators.
import { Hono } from "hono";
import type { Context, Handler } from "hono";
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
  // ScaleSocket documents (and its tests request) these paths with a trailing slash: every one
  // answers the same both ways. Only here: strict: false would loosen every other route too.
  const get = (path: string, handler: Handler) => api.get(path, handler).get(`${path}/`, handler);
  const find = (c: Context) => registry.find(c.req.param("room") ?? "");
  const missing = { error: "no such room" };
  get("/rooms", (c) => c.json(registry.list().map(roomInfo)));
  get("/:room", (c) => {
    const room = find(c);
    return room ? c.json(roomInfo(room)) : c.json(missing, 404);
  });
  get("/:room/connections", (c) => {
    const room = find(c);
    return room ? c.json(room.members.size) : c.json(missing, 404);
  });
  get("/:room/metadata", (c) => {
    const room = find(c);
    return room ? c.json(room.metadata) : c.json(missing, 404);
  });
  return api;
}
