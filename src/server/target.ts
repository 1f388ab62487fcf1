// Which room (and program) a websocket request is for, by the serving mode: named rooms (S2),
// one child per connection (--perconnection), or the programs of a directory (--dir).
import type { Config } from "../config.ts";
import type { RoomRegistry } from "../room/registry.ts";
import type { Room } from "../room/room.ts";
import { DEFAULT_ROOM, wellFormedRoomName } from "../room/name.ts";
import type { Runtime } from "../runtime/types.ts";
import { roomFromPath } from "./path.ts";
import { findProgram } from "./programs.ts";

/** Where a connection goes, and what its child is told of the request. */
export interface Target {
  room: Room;
  /** ROOM for the child; null in --perconnection mode, where there are no rooms. */
  envRoom: string | null;
  scriptName: string;
  pathInfo: string;
}

export type Refusal = {
  status: 400 | 404 | 429 | 503;
  reason: string;
  text: string;
  /** For the log line of the refusal: what the user may have meant. */
  hint?: string;
};

const INVALID: Refusal = { status: 400, reason: "invalid_room", text: "Invalid room" };
const NOT_LISTED: Refusal = { ...INVALID, hint: "not one of the --rooms names" };
const NOT_FOUND: Refusal = { status: 404, reason: "not_found", text: "Not found" };
const NOT_A_ROOM: Refusal = {
  ...NOT_FOUND,
  hint: "a room is one path segment; use --perconnection for one process per connection",
};
const NOT_A_DIR_ROOM: Refusal = {
  ...NOT_FOUND,
  hint: "--dir serves /NAME and /NAME/ROOM; use --perconnection for /NAME/ANY/PATH",
};
const NO_PROGRAM: Refusal = {
  ...NOT_FOUND,
  hint: "no program was given, so this server answers plain HTTP only",
};
const NO_SUCH_PROGRAM: Refusal = { ...NOT_FOUND, hint: "no executable of that name in --dir" };
const FULL: Refusal = { status: 429, reason: "too_many_rooms", text: "Too many rooms" };
const NO_PORT: Refusal = { status: 503, reason: "no_free_port", text: "No free port for --tcp" };

let solo = 0;

/** rawPath is the request path as sent, still percent-encoded. */
export async function resolveTarget(
  rawPath: string,
  config: Config,
  registry: RoomRegistry,
  runtime: Runtime,
): Promise<Target | Refusal> {
  const target = await locate(rawPath, config, registry, runtime);
  // --tcp: a new room waits for its port; with none free it is refused before the upgrade.
  const port = "room" in target ? target.room.port : null;
  if (port && (await port) === null) return NO_PORT;
  return target;
}

async function locate(
  rawPath: string,
  config: Config,
  registry: RoomRegistry,
  runtime: Runtime,
): Promise<Target | Refusal> {
  if (config.dir !== null) return await dirTarget(rawPath, config, registry, runtime);
  // --staticdir or --cgidir alone, as websocketd serves a plain site.
  if (config.cmd === "") return NO_PROGRAM;
  if (config.perConnection) {
    // websocketd's model: any path, one child each, the path told as PATH_INFO.
    const room = registry.open(`#${++solo}`, { solo: true });
    return room ? { room, envRoom: null, scriptName: "/", pathInfo: rawPath } : FULL;
  }
  const path = roomFromPath(rawPath);
  if (path.kind === "other") return NOT_A_ROOM;
  if (path.kind === "invalid") return INVALID;
  if (config.rooms && !config.rooms.includes(path.name)) return NOT_LISTED;
  const room = registry.open(path.name);
  if (!room) return FULL;
  return { room, envRoom: path.name, scriptName: "/", pathInfo: rawPath };
}

/**
 * --dir: /NAME[/MORE] runs DIR/NAME; rooms are /NAME/ROOM unless --perconnection, and /NAME is
 * NAME's default room, the URL websocketd users already have.
 */
async function dirTarget(
  rawPath: string,
  config: Config,
  registry: RoomRegistry,
  runtime: Runtime,
): Promise<Target | Refusal> {
  const [, first = "", ...more] = rawPath.split("/");
  const found = await findProgram(runtime, config.dir!, first);
  if (!found) return NO_SUCH_PROGRAM;
  const { name, path: real } = found;
  const program = { cmd: real, args: [] };
  const scriptName = `/${first}`;
  const pathInfo = more.length > 0 ? `/${more.join("/")}` : "";
  if (config.perConnection) {
    const room = registry.open(`${name}#${++solo}`, { solo: true, program });
    return room ? { room, envRoom: null, scriptName, pathInfo } : FULL;
  }
  // "/NAME" and "/NAME/" are the default room; "/NAME/ROOM" and "/NAME/ROOM/" are room ROOM,
  // by the room rules of S2.
  if (more.length > 2 || (more.length === 2 && more[1] !== "")) return NOT_A_DIR_ROOM;
  let roomName = DEFAULT_ROOM;
  if (more.length === 2 || (more.length === 1 && more[0] !== "")) {
    try {
      roomName = decodeURIComponent(more[0]);
    } catch {
      return INVALID;
    }
  }
  if (!wellFormedRoomName(roomName)) return INVALID;
  if (config.rooms && !config.rooms.includes(roomName)) return NOT_LISTED;
  const room = registry.open(`${name}/${roomName}`, { program });
  return room ? { room, envRoom: roomName, scriptName, pathInfo } : FULL;
}
