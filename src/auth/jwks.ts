// A JWKS by kid, from a URL or a file, refetched for an unknown kid at most once a minute.
import type { SignatureAlgorithm } from "hono/utils/jwt/jwa";
import { boundedFetch, type Fetch } from "./fetch.ts";
import { jwkKeys, type KeysByAlg } from "./keys.ts";

/** After a good fetch, an unknown kid refetches no sooner than this (a token can name any kid). */
export const REFRESH_MS = 60_000;
/** After a failed fetch, the next try waits this long, so a dead endpoint is not hammered. */
export const RETRY_MS = 5_000;
/** Limits of one JWKS fetch. */
export const JWKS_LIMITS = { timeoutMs: 5_000, maxBytes: 256 * 1024 };

/** A key for the kid, a kid the set does not hold, or the set cannot be had at all. */
export type Lookup = { keys: KeysByAlg } | { unknown: true } | { unavailable: string };

export interface JwksSource {
  /** Fetched with GET; or read through `readFile` (only src/runtime touches files). */
  url?: string;
  file?: string;
  readFile: (path: string) => Promise<string>;
  fetch?: Fetch;
  now?: () => number;
  limits?: { timeoutMs: number; maxBytes: number };
}

export class Jwks {
  #keys = new Map<string, KeysByAlg>();
  #loaded = false;
  #lastTry = -Infinity;
  /** Why the last load failed; null after a good one. */
  #failure: string | null = null;
  #pending: Promise<string | null> | null = null;
  #source: JwksSource;
  #now: () => number;

  constructor(source: JwksSource) {
    this.#source = source;
    this.#now = source.now ?? Date.now;
  }

  /** The keys for `kid`; an unknown kid refreshes the set when the interval allows. */
  async lookup(kid: string): Promise<Lookup> {
    const held = this.#keys.get(kid);
    if (held) return { keys: held };
    const wait = this.#failure === null ? REFRESH_MS : RETRY_MS;
    // A load under way is waited for, so a burst of first clients all see its result.
    if (this.#pending || this.#now() - this.#lastTry >= wait) await this.refresh();
    const keys = this.#keys.get(kid);
    if (keys) return { keys };
    if (!this.#loaded) return { unavailable: this.#failure ?? "JWKS not loaded yet" };
    return { unknown: true };
  }

  /** Loads the set now (concurrent callers share one load); resolves to a failure or null. */
  refresh(): Promise<string | null> {
    this.#pending ??= this.#load().finally(() => (this.#pending = null));
    return this.#pending;
  }

  async #load(): Promise<string | null> {
    this.#lastTry = this.#now();
    const text = await this.#read();
    const parsed = typeof text === "string" ? await parseSet(text) : text;
    this.#failure = "failed" in parsed ? `JWKS ${parsed.failed}` : null;
    if ("failed" in parsed) return this.#failure;
    this.#keys = parsed.keys;
    this.#loaded = true;
    return null;
  }

  async #read(): Promise<string | { failed: string }> {
    const { url, file, readFile } = this.#source;
    if (file !== undefined) {
      return readFile(file).catch(() => ({ failed: "file could not be read" }));
    }
    const fetchFn = this.#source.fetch ?? fetch;
    const got = await boundedFetch(fetchFn, url!, {
      headers: { accept: "application/json" },
    }, this.#source.limits ?? JWKS_LIMITS);
    if ("failed" in got) return got;
    if (got.status !== 200) return { failed: `endpoint answered ${got.status}` };
    return got.body;
  }
}

/** Parses a key set; keys without a kid, or of no usable type, are left out. */
async function parseSet(
  text: string,
): Promise<{ keys: Map<string, KeysByAlg> } | { failed: string }> {
  let set: unknown;
  try {
    set = JSON.parse(text);
  } catch {
    return { failed: "is not JSON" };
  }
  const list = (set as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return { failed: 'has no "keys" array' };
  const keys = new Map<string, KeysByAlg>();
  for (const jwk of list) {
    if (typeof jwk !== "object" || jwk === null || typeof jwk.kid !== "string") continue;
    if (jwk.use !== undefined && jwk.use !== "sig") continue;
    const byAlg: Map<SignatureAlgorithm, CryptoKey> = await jwkKeys(jwk);
    if (byAlg.size > 0) keys.set(jwk.kid, byAlg);
  }
  return { keys };
}
