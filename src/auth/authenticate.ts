// The one call the admission path makes: is this upgrade request's client let in, and as whom.
import type { AuthConfig, JwtConfig } from "../config.ts";
import type { Fetch } from "./fetch.ts";
import { askEndpoint } from "./forward.ts";
import { type Admission, refuse, roomAllowed } from "./identity.ts";
import { Jwks } from "./jwks.ts";
import { type KeySource, verifyJwt } from "./jwt.ts";
import { pemKeys, secretKeys } from "./keys.ts";
import { findToken } from "./token.ts";

/** What authentication needs from outside: files go through the runtime, never read here. */
export interface AuthIo {
  readFile: (path: string) => Promise<string>;
  fetch?: Fetch;
}

/** Who asks: the client's IP, and the room (null for the lobby page, /api or /metrics). */
export interface Asker {
  remote: string;
  room: string | null;
}

export interface Authenticator {
  /** Never throws: every failure is a refusal, and a 503 is what an unexpected one becomes. */
  authenticate(request: Request, asker: Asker): Promise<Admission>;
  /**
   * Settles when the keys are first usable: null, or a warning for one log line (a --jwks URL
   * that cannot be fetched yet; clients get 503 until it can).
   */
  loaded: Promise<string | null>;
}

/**
 * Prepares the keys once. Rejects with a one-line message when a key file is missing or holds
 * no usable key: a configuration error, to be reported before listening.
 */
export async function createAuthenticator(
  config: AuthConfig,
  io: AuthIo,
): Promise<Authenticator> {
  const { source, loaded } = config.jwt
    ? await keySource(config.jwt, io)
    : { source: null, loaded: Promise.resolve(null) };
  const expect = { audience: config.jwt?.audience ?? null, issuer: config.jwt?.issuer ?? null };
  const check = async (request: Request, asker: Asker): Promise<Admission> => {
    const found = findToken(request, config.cookie);
    let verdict;
    if (config.endpoint) {
      const offeredToken = found.source === "protocol" ? found.token : null;
      const endpoint = { ...config.endpoint, fetch: io.fetch };
      verdict = await askEndpoint(endpoint, request, { ...asker, offeredToken });
    } else if (found.token === null) {
      return refuse(401, "no token", { "WWW-Authenticate": "Bearer" });
    } else verdict = await verifyJwt(found.token, source!, expect);
    if (!verdict.ok) return verdict;
    if (asker.room !== null && !roomAllowed(verdict.identity.rooms, asker.room)) {
      return refuse(403, "room not allowed");
    }
    return { ok: true, identity: verdict.identity, protocol: found.protocol };
  };
  return {
    authenticate: (request, asker) =>
      check(request, asker).catch(() => refuse(503, "authentication failed unexpectedly")),
    loaded,
  };
}

async function keySource(
  jwt: JwtConfig,
  io: AuthIo,
): Promise<{ source: KeySource; loaded: Promise<string | null> }> {
  const { key } = jwt;
  const ready = Promise.resolve(null);
  if (key.kind === "secret") {
    return { source: { keys: await secretKeys(key.secret) }, loaded: ready };
  }
  if (key.kind === "pem") {
    const text = await io.readFile(key.file).catch((e) => {
      throw new Error(`Cannot read --jwt-key "${key.file}": ${message(e)}`);
    });
    const keys = await pemKeys(text).catch((e) => {
      throw new Error(`Cannot use --jwt-key "${key.file}": ${message(e)}`);
    });
    return { source: { keys }, loaded: ready };
  }
  const jwks = new Jwks({ ...key, readFile: io.readFile, fetch: io.fetch });
  if ("file" in key) {
    // A key file is configuration: wrong now means wrong for good, so it stops the start.
    const failure = await jwks.refresh();
    if (failure !== null) throw new Error(`Cannot use --jwks "${key.file}": ${failure}`);
    return { source: { jwks }, loaded: ready };
  }
  return { source: { jwks }, loaded: jwks.refresh() };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
