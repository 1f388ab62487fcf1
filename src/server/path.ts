// Which room a request path names: its one segment (/lobby or /lobby/), decoded once; the root
// path is the default room.
import { DEFAULT_ROOM, validRoomName } from "../room/name.ts";

export type RoomPath =
  | { kind: "room"; name: string }
  /** Looks like a room but breaks the naming rules: 400. */
  | { kind: "invalid" }
  /** Not a room path at all (`/a/b`, `//`). */
  | { kind: "other" };

/** rawPath is the request path as sent, still percent-encoded, without the query. */
export function roomFromPath(rawPath: string): RoomPath {
  const rest = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath;
  if (rest === "") return { kind: "room", name: DEFAULT_ROOM };
  const slash = rest.indexOf("/");
  // "/lobby" and "/lobby/" are rooms; "/lobby/x" is not.
  if (slash !== -1 && slash !== rest.length - 1) return { kind: "other" };
  const segment = slash === -1 ? rest : rest.slice(0, slash);
  if (segment === "") return { kind: "other" };
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return { kind: "invalid" };
  }
  return validRoomName(name) ? { kind: "room", name } : { kind: "invalid" };
}
