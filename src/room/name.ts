// What a room may be called: shared by the router and by --rooms validation.

/** First path segments that are never rooms: the server's own routes. */
export const RESERVED: ReadonlySet<string> = new Set([
  "api",
  "metrics",
  "health",
  "ready",
  "static",
  "upload",
  "robots.txt",
  "favicon.ico",
]);

/**
 * The room of the root path (and of /NAME with --dir): websocketd's pages connect to ws://host/,
 * so a user moving from it finds a room there rather than a 404.
 */
export const DEFAULT_ROOM = "default";

const MAX_NAME_BYTES = 128;
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** 1–128 bytes of UTF-8, no control character, no "/"; says nothing of reserved names. */
export function wellFormedRoomName(name: string): boolean {
  const bytes = new TextEncoder().encode(name).byteLength;
  if (bytes < 1 || bytes > MAX_NAME_BYTES) return false;
  // Lone surrogates cannot be UTF-8: decodeURIComponent never yields them, but stay strict.
  return !CONTROL.test(name) && !name.includes("/") && name.isWellFormed();
}

export function validRoomName(name: string): boolean {
  return wellFormedRoomName(name) && !RESERVED.has(name);
}
