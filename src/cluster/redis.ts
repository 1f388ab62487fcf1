// The only module that loads ioredis, with import() on first use: a server started without
// --cluster never evaluates it (the bundle carries it, as it carries prom-client).
import type { Redis, RedisOptions } from "ioredis";
import { redactUrl } from "./url.ts";

/** A Redis connection that reconnects by itself and reports up/down once per change. */
export interface RedisLink {
  readonly client: Redis;
  /** True while connected and answering (a stopped Redis keeps its connection but answers nothing). */
  readonly up: boolean;
  /** Calls listener at each change of up (not at each retry); returns a remover. */
  onChange(listener: (up: boolean, detail: string) => void): () => void;
  /** Resolves once up; rejects after timeoutMs. */
  waitUp(timeoutMs: number): Promise<void>;
  /** Closes the connection for good. */
  close(): Promise<void>;
}

export interface RedisLinkOptions {
  /** A command with no reply after this long fails (default 1000 ms). */
  commandTimeoutMs?: number;
  /** Shown by CLIENT LIST, to tell nodes apart. */
  name?: string;
  /** How often a PING checks that Redis still answers (default 1000 ms). */
  pingMs?: number;
}

export async function connectRedis(url: string, opts: RedisLinkOptions = {}): Promise<RedisLink> {
  const mod = await import("ioredis");
  const RedisClass = (mod.Redis ?? mod.default) as typeof mod.Redis;
  const client = new RedisClass(url, redisOptions(opts));
  return watch(client, url, opts.pingMs ?? 1000);
}

function redisOptions(opts: RedisLinkOptions): RedisOptions {
  return {
    // A lease command either goes out now or fails now: queued until a reconnect, its reply
    // would come too late to trust, and a resent claim could take a lease nobody uses.
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: opts.commandTimeoutMs ?? 1000,
    connectTimeout: 2000,
    // Reconnect forever, quickly at first: a lease only survives a few renewal periods.
    retryStrategy: (times) => Math.min(100 * times, 1000),
    connectionName: opts.name,
    lazyConnect: false,
  };
}

function watch(client: Redis, url: string, pingMs: number): RedisLink {
  const listeners = new Set<(up: boolean, detail: string) => void>();
  let up = false;
  let lastError = "";
  const set = (next: boolean, detail: string) => {
    if (next === up) return;
    up = next;
    for (const listener of listeners) {
      try {
        listener(up, detail);
      } catch {
        // A listener's failure must not stop the others from hearing about the change.
      }
    }
  };
  // Without an error listener ioredis prints every failed retry to the console.
  client.on("error", (err: Error) => lastError = scrub(err.message, url));
  client.on("ready", () => set(true, "connected"));
  client.on("close", () => set(false, lastError || "connection closed"));
  // An open connection proves nothing when Redis is stopped or the network drops packets.
  let pinging = false;
  const pinger = setInterval(async () => {
    if (pinging || client.status !== "ready") return;
    pinging = true;
    try {
      await client.ping();
      set(true, "answering again");
    } catch (err) {
      set(false, `not answering: ${scrub((err as Error).message, url)}`);
    } finally {
      pinging = false;
    }
  }, pingMs);
  return {
    client,
    get up() {
      return up;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    waitUp: (timeoutMs) => waitUp(client, () => up, timeoutMs),
    async close() {
      clearInterval(pinger);
      listeners.clear();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

function waitUp(client: Redis, isUp: () => boolean, timeoutMs: number): Promise<void> {
  if (isUp()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      client.off("ready", done);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off("ready", done);
      reject(new Error(`Cannot reach Redis: not connected after ${timeoutMs} ms`));
    }, timeoutMs);
    client.on("ready", done);
  });
}

/** An error message with the URL's password taken out, should a driver ever echo it. */
function scrub(message: string, url: string): string {
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) return message.split(password).join("***").replace(url, redactUrl(url));
  } catch {
    // Not a URL: nothing of it to hide beyond what redactUrl already hides.
  }
  return message.replace(url, redactUrl(url));
}
