// --api: the live rooms as JSON, for lobby pages and operators; read from the door's snapshots.
import { Hono } from "hono";
import type { Context, Handler } from "hono";
import type { Door } from "../room/door.ts";

/** Routes under /api. A room named "rooms" is listed, but /api/rooms is always the list. */
export function apiRoutes(registry: Door): Hono {
  const api = new Hono();
  // ScaleSocket documents (and its tests request) these paths with a trailing slash: every one
  // answers the same both ways. Only here: strict: false would loosen every other route too.
  const get = (path: string, handler: Handler) => api.get(path, handler).get(`${path}/`, handler);
  const find = (c: Context) => registry.find(c.req.param("room") ?? "");
  const missing = { error: "no such room" };
  get("/rooms", async (c) => c.json(await registry.list()));
  get("/:room", async (c) => {
    const room = await find(c);
    return room ? c.json(room) : c.json(missing, 404);
  });
  get("/:room/connections", async (c) => {
    const room = await find(c);
    return room ? c.json(room.connections) : c.json(missing, 404);
  });
  get("/:room/metadata", async (c) => {
    const room = await find(c);
    return room ? c.json(room.metadata) : c.json(missing, 404);
  });
  return api;
}
