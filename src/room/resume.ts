// What a client asks of resume (the `resume` and `received` query parameters), taken out of its
// request so the program never sees them, and the tokens and frames that answer it. The
// protocol is described in README.md ("Sessions that survive a dropped connection").

/** `?resume=1`: a new membership that wants a Welcome; `?resume=TOKEN&received=N`: a return. */
export type ResumeAsk =
  | { kind: "welcome" }
  /** received: null when it was missing or not a whole number (the return is refused). */
  | { kind: "return"; token: string; received: number | null };

/** The close code of a refused return, and its two reasons. */
export const REFUSED = 4410;
export const REFUSED_REASON = "resume refused";
export const LOST_REASON = "missed output no longer held";

const ASKING = new Set(["resume", "received"]);

/**
 * The request URL without `resume` and `received`, the rest of its query kept byte for byte
 * (QUERY_STRING shows what the client wrote), and what those two parameters asked.
 */
export function takeResumeAsk(url: string): { url: string; ask: ResumeAsk | null } {
  const q = url.indexOf("?");
  if (q === -1) return { url, ask: null };
  const end = url.indexOf("#", q);
  const query = url.slice(q + 1, end === -1 ? undefined : end);
  const kept: string[] = [];
  let resume: string | null = null;
  let received: string | null = null;
  for (const part of query.split("&")) {
    const eq = part.indexOf("=");
    const name = decoded(eq === -1 ? part : part.slice(0, eq));
    if (!ASKING.has(name)) {
      kept.push(part);
      continue;
    }
    const value = eq === -1 ? "" : decoded(part.slice(eq + 1));
    if (name === "resume") resume = value;
    else received = value;
  }
  const rest = kept.filter((p) => p !== "").join("&");
  const stripped = url.slice(0, q) + (rest ? `?${rest}` : "") + (end === -1 ? "" : url.slice(end));
  if (!resume) return { url: stripped, ask: null };
  if (resume === "1") return { url: stripped, ask: { kind: "welcome" } };
  const count = received !== null && /^\d{1,15}$/.test(received) ? Number(received) : null;
  return { url: stripped, ask: { kind: "return", token: resume, received: count } };
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** 32 random bytes, base64url: unguessable, and safe in a query string as it is. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export interface Greeting {
  id: number;
  /** --resume's seconds; 0 when the server does not keep dropped memberships. */
  resume: number;
  /** Absent when resume is 0. */
  token?: string;
  user?: string | null;
}

/** The first frame of a membership that asked: always text, in every framing mode. */
export function welcomeFrame(g: Greeting): string {
  return JSON.stringify({ t: "Welcome", ...fields(g) });
}

/** The first frame of a return: `missed` frames follow it, then live output. */
export function resumedFrame(g: Greeting, missed: number): string {
  const { id, resume, token, user } = fields(g);
  return JSON.stringify({ t: "Resumed", id, resume, token, missed, user });
}

function fields(g: Greeting): Greeting {
  const out: Greeting = { id: g.id, resume: g.resume };
  if (g.token !== undefined) out.token = g.token;
  if (g.user) out.user = g.user;
  return out;
}
