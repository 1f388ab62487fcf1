// Cluster mode's life on one node: connect to Redis, start the watchdog, build the door over a
// local registry; on SIGTERM, drain; at the end, let go of Redis and the watchdog.
//
// node:os gives the host name for the default node id; Deno implements it, and the seam in
// src/runtime would only forward to the same call.
import { hostname } from "node:os";
import process from "node:process";
import type { ClusterConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { AdmitDeps } from "../room/admit.ts";
import { LocalRegistry } from "../room/registry.ts";
import { timing } from "./deadlines.ts";
import type { ClusterStats } from "./stats.ts";
import { ClusterDoor } from "./door.ts";
import { redisLeaseStore } from "./lease.ts";
import { redisLobby } from "./lobby.ts";
import { loadHistory } from "./history.ts";
import { connectRedis } from "./redis.ts";
import { signingKey } from "./sign.ts";
import { startWatchdog } from "./watchdog-process.ts";

/** How long start-up waits for Redis before serving anyway (not ready until it answers). */
const FIRST_CONNECT_MS = 3_000;

export interface ClusterNode {
  readonly door: ClusterDoor;
  readonly nodeId: string;
  /** Why /ready answers 503 now, or null. */
  unready(): string | null;
  /** SIGTERM: not ready, nothing new claimed; settles when the rooms ended or --drain passed. */
  drain(): Promise<void>;
  /** After the rooms are closed: lets go of the watchdog and Redis. */
  close(): Promise<void>;
}

/** What the local registry gets (admit.ts), and what cluster mode counts. */
export interface ClusterStartDeps extends
  Pick<
    AdmitDeps,
    "config" | "runtime" | "log" | "stats" | "version" | "route" | "oneshotDone"
  > {
  clusterStats: ClusterStats;
}

export async function startCluster(d: ClusterStartDeps): Promise<ClusterNode> {
  const cc = d.config.cluster!;
  const nodeId = cc.nodeId ?? defaultNodeId();
  const cache = d.config.cache;
  const log = d.log;
  const redis = await connectRedis(cc.url, { name: `scalesocket:${nodeId}` });
  redis.onChange((up, detail) => {
    if (up) log.info("cluster store connected", { redis: cc.redacted, node: nodeId });
    else log.warn(`cluster store unreachable: ${detail}`, { redis: cc.redacted });
  });
  // Served either way: while Redis does not answer, /ready is 503 and new rooms are refused.
  await redis.waitUp(FIRST_CONNECT_MS).catch(() => {});
  const watchdog = await startWatchdog().catch(async (err) => {
    await redis.close();
    throw err;
  });
  watchdog.onEvent((e) => {
    if (e.kind === "signalled") {
      d.clusterStats.watchdogKill();
      log.warn(`watchdog sent ${e.signal} to room group ${e.pgid}`);
    } else if (e.kind === "failed") log.error(`watchdog failed: ${e.message}`, { pgid: e.pgid });
  });
  let closing = false;
  void watchdog.exited.then(() => {
    if (!closing) log.error("watchdog exited: room processes are no longer guarded");
  });
  const local = new LocalRegistry(d.config, d.runtime, log, d.stats, {
    route: d.route,
    version: d.version,
    oneshotDone: d.oneshotDone,
    reopen: false,
    onStarted: (room, pid) => door.started(room, pid),
    persisted: (name) => door.persisted(name),
  });
  // The local registry's hook calls the door only once a child starts, well after this line.
  const door: ClusterDoor = new ClusterDoor({
    config: d.config,
    log,
    local,
    route: d.route,
    store: redisLeaseStore(redis.client, {
      nodeId,
      advertise: cc.advertise,
      leaseMs: cc.leaseMs,
      prefix: cc.prefix,
    }),
    lobby: redisLobby(redis.client, cc.prefix),
    watchdog,
    forwarding: { key: await signingKey(cc.secret), nodeId },
    nodeId,
    timing: timing(cc.leaseMs),
    redisUp: () => redis.up,
    stats: d.clusterStats,
    loadHistory: cache && d.config.cachePersist
      ? (room) => loadHistory(redis.client, cc.prefix, room, cache.size)
      : null,
  });
  return {
    door,
    nodeId,
    unready: () => door.draining ? "draining" : redis.up ? null : "cluster store unreachable",
    drain: () => drain(door, cc, log),
    async close() {
      closing = true;
      await watchdog.close();
      await redis.close();
    },
  };
}

async function drain(door: ClusterDoor, cc: ClusterConfig, log: Logger): Promise<void> {
  door.draining = true;
  log.info(`draining: rooms may run ${cc.drainMs / 1000} s more`, {
    rooms: door.gauges().cluster?.leases,
  });
  await door.roomsGone(cc.drainMs);
}

/** host-pid-random: unique per process, and readable in the lobby and the logs. */
function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9._:-]/g, "-").slice(0, 40) || "node";
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${host}-${process.pid}-${random}`;
}
