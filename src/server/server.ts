// The server's life: listen, serve rooms, drain on a signal or when --oneshot is done.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Listener, Runtime } from "../runtime/types.ts";
import { LocalRegistry } from "../room/registry.ts";
import { CLOSE } from "../room/room.ts";
import { createApp } from "./app.ts";
import type { AppState } from "./app.ts";
import { staticFiles } from "./static.ts";
import { createMetrics } from "./metrics.ts";
import { NO_STATS } from "../room/stats.ts";

/** How long draining waits for clients to answer their close frames. */
const DRAIN_CLIENTS_MS = 2_000;

export interface Server {
  readonly listeners: Listener[];
  /** Settles with the exit code once the server has stopped. */
  readonly finished: Promise<number>;
  /** Drains: refuses new connections, closes clients with 1001, stops every child. */
  stop(): Promise<void>;
  /** Kills every child at once and finishes (a second signal). */
  kill(): void;
}

export async function startServer(
  config: Config,
  runtime: Runtime,
  log: Logger,
  version: string,
): Promise<Server> {
  const statics = config.staticDir ? await staticFiles(config.staticDir, runtime) : null;
  const state: AppState = { draining: false, oneshotUsed: false };
  const metrics = config.metrics ? createMetrics() : null;
  const stats = metrics?.stats ?? NO_STATS;
  const registry = new LocalRegistry(config, runtime, log, stats);
  let nextId = 1;
  let open = 0;
  let clientsGone: (() => void) | null = null;
  let stopping: Promise<void> | null = null;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => finish = resolve);

  const app = createApp(
    {
      config,
      runtime,
      log,
      registry,
      stats,
      version,
      nextId: () => (open++, nextId++),
      onDisconnect: () => {
        if (--open === 0) clientsGone?.();
        if (config.oneshot) void stop();
      },
    },
    state,
    { statics, metrics },
  );

  const listeners: Listener[] = [];
  try {
    for (const addr of config.listen) {
      listeners.push(await listen(runtime, app, addr.host, addr.port, config.maxFrameSize));
    }
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  for (const l of listeners) log.info(`listening on http://${hostPort(l.host, l.port)}`);

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      state.draining = true;
      const clientsClosed = open === 0 ? Promise.resolve() : new Promise<void>((r) => {
        clientsGone = r;
        setTimeout(r, DRAIN_CLIENTS_MS);
      });
      await registry.closeAll(CLOSE.goingAway, "going away");
      await clientsClosed;
      await Promise.all(listeners.map((l) => l.close()));
      finish(0);
    })();
    return stopping;
  };
  const kill = () => {
    registry.killAll();
    finish(0);
  };
  return { listeners, finished, stop, kill };
}

async function listen(
  runtime: Runtime,
  app: Parameters<Runtime["serve"]>[0],
  host: string,
  port: number,
  maxPayload: number,
): Promise<Listener> {
  try {
    return await runtime.serve(app, { host, port, maxPayload });
  } catch (err) {
    const e = err as Error & { code?: string };
    const why = e.code === "EADDRINUSE"
      ? "address already in use"
      : e.code === "EACCES"
      ? "permission denied"
      : e.code === "EADDRNOTAVAIL"
      ? "address not available"
      : e.message;
    throw new Error(`Cannot listen on "${hostPort(host, port)}": ${why}`);
  }
}

function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}
