// Which room (and program) a websocket request is for, by the serving mode: named rooms (the
// first path segment, see path.ts), one child per connection (--perconnection), or the
// programs of a directory (--dir). The door (src/room/admit.ts) asks this before it admits.
import type { Config } from "../config.ts";
import type { Route, Router } from "../room/admit.ts";
import type { Refusal } from "../room/door.ts";
import { DEFAULT_ROOM, wellFormedRoomName } from "../room/name.ts";
import type { Runtime } from "../runtime/types.ts";
import { roomFromPath } from "./path.ts";
import { findProgram } from "./programs.ts";

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

let solo = 0;

/** The router of this server's mode; rawPath is the request path as sent, still encoded. */
export function router(config: Config, runtime: Runtime): Router {
  // Not async: only --dir has to wait (for the directory), and admission goes on at once without.
  return (rawPath) => {
    if (config.dir !== null) return dirRoute(rawPath, config, runtime);
    // --staticdir or --cgidir alone, as websocketd serves a plain site.
    if (config.cmd === "") return NO_PROGRAM;
    if (config.perConnection) {
      // websocketd's model: any path, one child each, the path told as PATH_INFO.
      return { name: `#${++solo}`, solo: true, envRoom: null, scriptName: "/", pathInfo: rawPath };
    }
    const path = roomFromPath(rawPath);
    if (path.kind === "other") return NOT_A_ROOM;
    if (path.kind === "invalid") return INVALID;
    if (config.rooms && !config.rooms.includes(path.name)) return NOT_LISTED;
    return { name: path.name, solo: false, envRoom: path.name, scriptName: "/", pathInfo: rawPath };
  };
}

/**
 * --dir: /NAME[/MORE] runs DIR/NAME; rooms are /NAME/ROOM unless --perconnection, and /NAME is
 * NAME's default room, the URL websocketd users already have.
 */
async function dirRoute(
  rawPath: string,
  config: Config,
  runtime: Runtime,
): Promise<Route | Refusal> {
  const [, first = "", ...more] = rawPath.split("/");
  const found = await findProgram(runtime, config.dir!, first);
  if (!found) return NO_SUCH_PROGRAM;
  const { name, path: real } = found;
  const program = { cmd: real, args: [] };
  const scriptName = `/${first}`;
  const pathInfo = more.length > 0 ? `/${more.join("/")}` : "";
  if (config.perConnection) {
    return { name: `${name}#${++solo}`, solo: true, program, envRoom: null, scriptName, pathInfo };
  }
  // "/NAME" and "/NAME/" are the default room; "/NAME/ROOM" and "/NAME/ROOM/" are room ROOM,
  // which follows the rules of a room name (path.ts).
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
  return {
    name: `${name}/${roomName}`,
    solo: false,
    program,
    envRoom: roomName,
    scriptName,
    pathInfo,
  };
}
