// --api: the live rooms as JSON, for lobby pages and operators; read from the door's snapshots.
import { Hono } from "hono";
import type { Door } from "../room/door.ts";

/** Routes under /api. A room named "rooms" is listed, but /api/rooms is always the list. */
export function apiRoutes(registry: Door): Hono {
  const api = new Hono();
  const missing = { error: "no such room" };
  api.get("/rooms", async (c) => c.json(await registry.list()));
  api.get("/:room", async (c) => {
    const room = await registry.find(c.req.param("room"));
    return room ? c.json(room) : c.json(missing, 404);
  });
  api.get("/:room/connections", async (c) => {
    const room = await registry.find(c.req.param("room"));
    return room ? c.json(room.connections) : c.json(missing, 404);
  });
  api.get("/:room/metadata", async (c) => {
    const room = await registry.find(c.req.param("room"));
    return room ? c.json(room.metadata) : c.json(missing, 404);
  });
  return api;
}
