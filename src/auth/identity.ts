// Who a verified client is, how claims become one, and what a refusal before the upgrade says.

/** A client that passed authentication; the server passes it on, it is never client-chosen. */
export interface Identity {
  /** The JWT's `sub`, or the auth endpoint's `user`; null when the token or endpoint names none. */
  user: string | null;
  /** An object that travels with the user (`_info` in --json joins); null: none given. */
  info: Record<string, unknown> | null;
  /** Room names or `*` patterns the client may join; null: every room. */
  rooms: string[] | null;
  /** Milliseconds since the epoch when the token stops being accepted; null: never. */
  expiresAt: number | null;
  /** Which mechanism vouched for the client: a token (--jwt-*) or the endpoint (--auth). */
  type: "jwt" | "auth";
}

/** The answer to an upgrade request: admitted, or refused with an HTTP status before it. */
export type Admission =
  | {
    ok: true;
    identity: Identity;
    /** The Sec-WebSocket-Protocol to answer with (never a `bearer.` offer); null: none. */
    protocol: string | null;
  }
  | Refusal;

export interface Refusal {
  ok: false;
  status: 401 | 403 | 503;
  /** For one log line: says why, and never holds a token, a cookie or a header value. */
  reason: string;
  /** The response body: one short line, without its newline (as the server's other refusals). */
  text: string;
  headers?: Record<string, string>;
}

const TITLES = { 401: "Unauthorized", 403: "Forbidden", 503: "Authentication unavailable" };

/** A refusal whose body names the reason; a 503 hides it, as it may describe the backend. */
export function refuse(
  status: Refusal["status"],
  reason: string,
  headers?: Record<string, string>,
): Refusal {
  const text = status === 503 ? TITLES[status] : `${TITLES[status]}: ${reason}`;
  return headers
    ? { ok: false, status, reason, text, headers }
    : { ok: false, status, reason, text };
}

// A user name reaches the child's environment and templates: short, and no control characters.
// deno-lint-ignore no-control-regex
const USER = /^[^\x00-\x1f\x7f]{1,256}$/;

/** Checks the parts of an identity that come from outside; a string is the problem. */
export function identityFrom(
  raw: { user: unknown; info: unknown; rooms: unknown },
  names: { user: string; info: string; rooms: string },
): { user: string | null; info: Record<string, unknown> | null; rooms: string[] | null } | string {
  const { user, info, rooms } = raw;
  if (user !== undefined && (typeof user !== "string" || !USER.test(user))) {
    return `invalid ${names.user}`;
  }
  const isObject = typeof info === "object" && info !== null && !Array.isArray(info);
  if (info !== undefined && !isObject) return `invalid ${names.info}`;
  // One pattern may come bare; anything else but a list of strings is refused, never ignored.
  const list = typeof rooms === "string" ? [rooms] : rooms;
  if (
    list !== undefined &&
    (!Array.isArray(list) || !list.every((r) => typeof r === "string" && r.length > 0))
  ) return `invalid ${names.rooms}`;
  return {
    user: (user as string | undefined) ?? null,
    info: (info as Record<string, unknown> | undefined) ?? null,
    rooms: (list as string[] | undefined) ?? null,
  };
}

/** Whether `rooms` (names, `*` matching any run of characters) lets a client into `room`. */
export function roomAllowed(rooms: readonly string[] | null, room: string): boolean {
  if (rooms === null) return true;
  return rooms.some((pattern) => {
    if (!pattern.includes("*")) return pattern === room;
    const parts = pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join(".*")}$`, "s").test(room);
  });
}

/** The CGI variables websocketd leaves empty, filled for the child of a verified client. */
export function authVariables(
  identity: Identity | null,
): { REMOTE_USER: string; AUTH_TYPE: string } {
  return { REMOTE_USER: identity?.user ?? "", AUTH_TYPE: identity?.type ?? "" };
}

/** What --json adds to a join or leave message: `_user` and `_info` when known. */
export function joinFields(identity: Identity | null): { _user?: string; _info?: object } {
  const fields: { _user?: string; _info?: object } = {};
  if (identity?.user != null) fields._user = identity.user;
  if (identity?.info != null) fields._info = identity.info;
  return fields;
}

/** The identity as one JSON line, for the fields a node signs when it relays a client. */
export function encodeIdentity(identity: Identity): string {
  const { user, info, rooms, expiresAt, type } = identity;
  return JSON.stringify({ user, info, rooms, expiresAt, type });
}

/** encodeIdentity's output back, checked as if it came from outside; null for anything else. */
export function decodeIdentity(text: string): Identity | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== "object" || v === null || (v.type !== "jwt" && v.type !== "auth")) return null;
  if (v.expiresAt !== null && !Number.isFinite(v.expiresAt)) return null;
  const absent = (x: unknown) => x === null ? undefined : x;
  const parts = identityFrom(
    { user: absent(v.user), info: absent(v.info), rooms: absent(v.rooms) },
    { user: "user", info: "info", rooms: "rooms" },
  );
  if (typeof parts === "string") return null;
  return { ...parts, expiresAt: v.expiresAt as number | null, type: v.type };
}

// Timers cannot wait longer than 2^31-1 ms (Node fires them at once): long waits are chained.
const MAX_WAIT = 2 ** 31 - 1;

/**
 * Calls `expire` when the identity's token expires; returns the function that cancels it.
 * Nothing is scheduled for an identity without expiry; one already expired expires at once,
 * but never before this returns.
 */
export function onExpiry(
  identity: Identity,
  expire: () => void,
  now: () => number = Date.now,
): () => void {
  if (identity.expiresAt === null) return () => {};
  const at = identity.expiresAt;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Always through a timer, even when already due: the caller finishes admitting first.
  const arm = () => {
    const wait = Math.max(0, at - now());
    timer = wait > MAX_WAIT ? setTimeout(arm, MAX_WAIT) : setTimeout(expire, wait);
  };
  arm();
  return () => clearTimeout(timer);
}
