// The server's life: listen, serve rooms, drain on a signal or when --oneshot is done.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import { Hono } from "hono";
import type { Runtime } from "../runtime/types.ts";
import { type Listener, serve, type ServeOptions } from "../http/serve.ts";
import type { Door } from "../room/door.ts";
import { LocalRegistry } from "../room/registry.ts";
import { CLOSE } from "../room/room.ts";
import { createApp } from "./app.ts";
import type { AppState } from "./app.ts";
import { staticFiles } from "./static.ts";
import { router } from "./target.ts";
import { NO_STATS } from "../room/stats.ts";
import type { Metrics } from "./metrics.ts";
import type { ClusterNode } from "../cluster/start.ts";
import { NO_CLUSTER_STATS } from "../cluster/stats.ts";
import { type Authenticator, createAuthenticator } from "../auth/authenticate.ts";

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

/** The whole app and the door behind it, built but not listening. */
export interface ServerApp {
  app: Hono;
  registry: Door;
  state: AppState;
  /** Cluster mode's node (--cluster); null otherwise. */
  cluster: ClusterNode | null;
}

/**
 * Builds the Hono app and its registry from the configuration, without listening (tests drive
 * it with app.request()). onOneshotDone: --oneshot's single connection has ended.
 */
export async function createServerApp(
  config: Config,
  runtime: Runtime,
  log: Logger,
  version: string,
  onOneshotDone: () => void = () => {},
): Promise<ServerApp> {
  const statics = config.staticDir ? await staticFiles(config.staticDir, runtime) : null;
  const state: AppState = { draining: false };
  // Before the cluster joins: a bad key file stops the start with nothing left open.
  const auth = await authenticator(config, runtime, log);
  // prom-client is loaded only when asked for: a third of the bundle, none of the start-up.
  const metrics: Metrics | null = config.metrics
    ? (await import("./metrics.ts")).createMetrics(() => registry.gauges(), config.cluster !== null)
    : null;
  const stats = metrics?.stats ?? NO_STATS;
  const route = router(config, runtime);
  // The cluster code (and ioredis with it) is loaded only with --cluster.
  const cluster = config.cluster
    ? await (await import("../cluster/start.ts")).startCluster({
      config,
      runtime,
      log,
      stats,
      version,
      route,
      oneshotDone: onOneshotDone,
      clusterStats: metrics?.cluster ?? NO_CLUSTER_STATS,
    })
    : null;
  const registry: Door = cluster?.door ??
    new LocalRegistry(config, runtime, log, stats, {
      route,
      version,
      oneshotDone: onOneshotDone,
    });
  if (cluster) state.unready = cluster.unready;
  const app = createApp({ config, runtime, log, registry, stats, version, auth }, state, {
    statics,
    metrics,
  });
  return { app, registry, state, cluster };
}

export async function startServer(
  config: Config,
  runtime: Runtime,
  log: Logger,
  version: string,
): Promise<Server> {
  let stopping: Promise<void> | null = null;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => finish = resolve);
  const { app, registry, state, cluster } = await createServerApp(
    config,
    runtime,
    log,
    version,
    () => void stop(),
  );

  const { listeners, redirects } = await openListeners(app, config, runtime, log).catch(
    async (err) => {
      await cluster?.close();
      throw err;
    },
  );

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      // A cluster node first lets its rooms run on (up to --drain), then closes them with 1012
      // so their clients come back at once to the room's next owner.
      await cluster?.drain();
      state.draining = true;
      const clientsClosed = registry.drained(DRAIN_CLIENTS_MS);
      await (cluster
        ? registry.closeAll(CLOSE.restart, "service restart")
        : registry.closeAll(CLOSE.goingAway, "going away"));
      await clientsClosed;
      await Promise.all([...listeners, ...redirects].map((l) => l.close()));
      await cluster?.close();
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

/** Listens on every address asked for (and --redirport's), and says where. */
async function openListeners(app: Hono, config: Config, runtime: Runtime, log: Logger) {
  const tls = config.tls
    ? {
      cert: await readPem(runtime, config.tls.cert, "--sslcert"),
      key: await readPem(runtime, config.tls.key, "--sslkey"),
    }
    : undefined;
  const listeners: Listener[] = [];
  const redirects: Listener[] = [];
  const { all, ws } = config.headers;
  const common = {
    log,
    maxPayload: config.maxFrameSize,
    pingMs: config.pingMs,
    // Only --header and --header-ws add to a websocket answer after the app's route made it.
    finalAtAccept: all.length + ws.length === 0,
  };
  try {
    if (config.unixSocket !== null) {
      const opts = { ...common, host: "", port: 0, path: config.unixSocket };
      listeners.push(await listen(app, opts));
    } else {
      for (const addr of config.listen) {
        listeners.push(await listen(app, { ...common, host: addr.host, port: addr.port, tls }));
      }
    }
    if (config.redirPort !== null) {
      for (const l of listeners) {
        const opts = { log, host: l.host, port: config.redirPort, maxPayload: 1024 };
        redirects.push(await listen(redirectApp(l.port), opts));
      }
    }
  } catch (err) {
    await Promise.all([...listeners, ...redirects].map((l) => l.close()));
    throw err;
  }
  const scheme = tls ? "https" : "http";
  for (const l of listeners) {
    const where = config.unixSocket ?? `${scheme}://${hostPort(l.host, l.port)}`;
    log.info(`listening on ${config.unixSocket !== null ? `unix:${where}` : where}`);
  }
  for (const l of redirects) {
    log.info(`redirecting http://${hostPort(l.host, l.port)} to https`);
  }
  return { listeners, redirects };
}

/**
 * The keys are read before listening (a missing key file stops the start); a --jwks URL that
 * cannot be fetched yet is one warning, and its clients get 503 until it can.
 */
async function authenticator(
  config: Config,
  runtime: Runtime,
  log: Logger,
): Promise<Authenticator | null> {
  if (!config.auth) return null;
  const auth = await createAuthenticator(config.auth, {
    readFile: (path) => runtime.readTextFile(path),
  });
  void auth.loaded.then((warning) => warning && log.warn(warning));
  return auth;
}

async function listen(app: Hono, opts: ServeOptions): Promise<Listener> {
  const { host, port } = opts;
  const where = opts.path ?? hostPort(host, port);
  try {
    return await serve(app, opts);
  } catch (err) {
    const e = err as Error & { code?: string };
    const why = e.code === "EADDRINUSE"
      ? "address already in use"
      : e.code === "EACCES"
      ? "permission denied"
      : e.code === "EADDRNOTAVAIL"
      ? "address not available"
      : e.message;
    throw new Error(`Cannot listen on "${where}": ${why}`);
  }
}

async function readPem(runtime: Runtime, path: string, flag: string): Promise<string> {
  try {
    return await runtime.readTextFile(path);
  } catch (err) {
    throw new Error(`Cannot read ${flag} "${path}": ${(err as Error).message}`);
  }
}

/** --redirport: every plain HTTP request is sent to the same host and path over https. */
function redirectApp(httpsPort: number): Hono {
  const app = new Hono();
  app.all("*", (c) => {
    const url = new URL(c.req.url);
    url.protocol = "https:";
    url.port = String(httpsPort);
    return c.redirect(url.toString(), 301);
  });
  return app;
}

function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}
