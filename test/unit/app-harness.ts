// Builds the server's Hono app in process from command-line flags, on a fake runtime: the one
// place the in-process app tests know how the app is put together.
import { parseCli } from "../../src/cli/parse.ts";
import { type AppState, createApp } from "../../src/server/app.ts";
import { staticFiles } from "../../src/server/static.ts";
import { LocalRegistry } from "../../src/room/registry.ts";
import { NO_STATS } from "../../src/room/stats.ts";
import type { SocketEvents } from "../../src/runtime/types.ts";
import { FakeRuntime, makeLog } from "./fakes.ts";

/** The header a fake upgrade answers with, in place of the 101 a socket would get. */
const UPGRADED = "x-test-upgraded";

export interface AppUnderTest {
  runtime: FakeRuntime;
  /** Lines the server logged. */
  lines: string[];
  /** A plain HTTP request to the app, as a client on this host would send it. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A websocket handshake as a browser sends it for path; headers add, replace or (null) drop. */
  handshake(
    path: string,
    headers?: Record<string, string | null>,
    method?: string,
  ): Promise<Response>;
  /** Whether the app accepted the handshake and asked the runtime to upgrade it. */
  upgraded(res: Response): boolean;
  /** Shutdown has begun, as after the first signal. */
  drain(): void;
  /** Ends every accepted handshake, as if its socket closed before opening. */
  close(): void;
}

/** The host every request is sent to, so --sameorigin can compare with it. */
export const HOST = "127.0.0.1:8080";

/** The app that `scalesocket ...argv` would serve, on runtime (a fresh fake by default). */
export async function appFor(
  argv: string[],
  runtime = new FakeRuntime(),
): Promise<AppUnderTest> {
  const parsed = parseCli(argv, "linux");
  if (parsed.kind !== "run") throw new Error(`Not a server command line: ${argv.join(" ")}`);
  const config = parsed.config;
  const { log, lines } = makeLog();
  const accepted: SocketEvents[] = [];
  runtime.peer = () => ({ address: "127.0.0.1", port: 40000 });
  runtime.upgrade = (_c, events) => {
    accepted.push(events);
    return Promise.resolve(new Response(null, { status: 200, headers: { [UPGRADED]: "1" } }));
  };
  const statics = config.staticDir ? await staticFiles(config.staticDir, runtime) : null;
  const state: AppState = { draining: false, oneshotUsed: false };
  const registry = new LocalRegistry(config, runtime, log, NO_STATS);
  let nextId = 1;
  const deps = {
    config,
    runtime,
    log,
    registry,
    stats: NO_STATS,
    serverEnv: {},
    version: "0.0.0-test",
    nextId: () => nextId++,
    onDisconnect: () => {},
  };
  const app = createApp(deps, state, { statics, metrics: null });
  const request = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("host")) headers.set("host", HOST);
    return Promise.resolve(app.request(`http://${HOST}${path}`, { ...init, headers }));
  };
  return {
    runtime,
    lines,
    request,
    handshake: (path, extra = {}, method = "GET") => {
      const headers: Record<string, string> = handshakeHeaders();
      for (const [name, value] of Object.entries(extra)) {
        if (value === null) delete headers[name];
        else headers[name] = value;
      }
      return request(path, { method, headers });
    },
    upgraded: (res) => res.headers.get(UPGRADED) === "1",
    drain: () => state.draining = true,
    close: () => {
      for (const events of accepted.splice(0)) events.onClose(1006, "");
    },
  };
}

/** What a browser sends to open a websocket, Origin aside. */
export function handshakeHeaders(): Record<string, string> {
  return {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
}
