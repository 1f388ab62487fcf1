// The resume protocol's side of the client: the room URL it asks with, and the frames it reads.

/** The server's first frame to a client that asked with `?resume=…`. */
export interface Welcome {
  t: "Welcome" | "Resumed";
  /** The member id the server stamps this client's messages with (`_from` in --json mode). */
  id: number;
  /** Seconds the server keeps a dropped membership; 0 when it does not. */
  resume: number;
  /** The single-use token for the next reconnect; absent when resume is 0. */
  token?: string;
  /** The verified user when the server authenticates; absent otherwise. */
  user?: string;
  /** How many held messages follow a Resumed frame before live output. */
  missed?: number;
}

/**
 * Reads the first frame of a connection. Anything but a Welcome or Resumed gives null, so a
 * server that ignores `resume` (an old one) is taken for one that offers none, and its first
 * frame stays data.
 */
export function parseControl(data: unknown): Welcome | null {
  if (typeof data !== "string" || !data.startsWith("{")) return null;
  let msg: Record<string, unknown>;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (msg.t !== "Welcome" && msg.t !== "Resumed") return null;
  if (typeof msg.id !== "number") return null;
  const resume = typeof msg.resume === "number" && msg.resume > 0 ? msg.resume : 0;
  const token = typeof msg.token === "string" && resume > 0 ? msg.token : undefined;
  return {
    t: msg.t,
    id: msg.id,
    resume: token ? resume : 0,
    ...(token ? { token } : {}),
    ...(typeof msg.user === "string" ? { user: msg.user } : {}),
    ...(msg.t === "Resumed" ? { missed: typeof msg.missed === "number" ? msg.missed : 0 } : {}),
  };
}

/** Where the client stands in the membership it wants to keep. */
export interface ResumePoint {
  token: string;
  /** Data frames received since the Welcome, over every connection of the membership. */
  received: number;
}

/**
 * The URL of one connection attempt: `?resume=1` for a fresh membership, or the token and
 * count for a reconnect. A path or an http(s) URL is resolved against the page, the way a link
 * would be, so `connect("/lobby")` works from any page of the server.
 */
export function attemptUrl(url: string | URL, point: ResumePoint | null, ask = true): string {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    const where = base ? "" : ": give a full ws:// or wss:// URL outside a page";
    throw new TypeError(`Cannot connect to "${url}": not a URL${where}`);
  }
  if (u.protocol === "http:") u.protocol = "ws:";
  if (u.protocol === "https:") u.protocol = "wss:";
  u.searchParams.delete("resume");
  u.searchParams.delete("received");
  if (point) {
    u.searchParams.set("resume", point.token);
    u.searchParams.set("received", String(point.received));
  } else if (ask) {
    u.searchParams.set("resume", "1");
  }
  return u.href;
}

/** The close code of a refused resume: the membership is gone, join afresh. */
export const RESUME_REFUSED = 4410;
