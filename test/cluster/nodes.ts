// Test harness: a scalesocket cluster on one machine: a real redis-server, three nodes (each
// reaching Redis through its own TCP relay, so one can be cut off alone), optionally haproxy.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedis, type RedisLink } from "../../src/cluster/redis.ts";
import { parseLease, roomKey } from "../../src/cluster/lease.ts";
import { launch, type Launcher, PYTHON, type Running, waitFor } from "../e2e/harness.ts";
import { after, before } from "node:test";
import { assertNoOverlap, EPOCH_CHILD } from "./epochs.ts";
import { type Haproxy, startHaproxy } from "./haproxy.ts";
import { freePort, type RedisServer, startRedis } from "./redis.ts";
import { startTcpRelay, type TcpRelay } from "./tcp-relay.ts";

export const SECRET = "test-cluster-secret-0123456789";

export interface ClusterOptions {
  launcher: Launcher;
  /** How many nodes to start (default 3). */
  size?: number;
  /** --lease in seconds (default 2). */
  lease?: number;
  /** Flags before the program, for every node (e.g. --json). */
  flags?: string[];
  /** The program and its arguments; default the epoch fixture writing to the cluster's dir. */
  program?: string[];
  /** Put haproxy (deploy/haproxy.cfg) in front of the nodes. */
  haproxy?: boolean;
  /** Nodes haproxy lists out of rotation from the start, for addNode() to bring up later. */
  spare?: number;
  /**
   * Mark Redis as one that has been serving (its `alive` key set), so no quiet period delays
   * the first claims. Tests of data loss leave it false and wait the period out.
   */
  seeded?: boolean;
}

export interface TestNode {
  readonly id: string;
  readonly port: number;
  /** This node's own way to Redis: pause or cut it to cut this node alone off. */
  readonly relay: TcpRelay;
  readonly server: Running;
  ws(path: string): string;
  http(path: string): string;
}

export interface TestCluster {
  readonly redis: RedisServer;
  /** A direct connection to Redis for the test's own looks (leases, keys). */
  readonly link: RedisLink;
  readonly nodes: TestNode[];
  readonly haproxy: Haproxy | null;
  /** Where the epoch fixture writes one log per room. */
  readonly dir: string;
  readonly leaseMs: number;
  /** The last lines every node logged, to explain a failure. */
  logs(): string;
  /** The node id holding the room's lease now, or null. */
  owner(room: string): Promise<string | null>;
  /** Starts one more node, on a spare's port while there is one (see ClusterOptions.spare). */
  addNode(): Promise<TestNode>;
  close(): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<TestCluster> {
  const lease = opts.lease ?? 2;
  const dir = mkdtempSync(join(tmpdir(), "ss-cluster-"));
  const redis = await startRedis();
  const link = await connectRedis(redis.url, { commandTimeoutMs: 2000 });
  await link.waitUp(10_000);
  if (opts.seeded !== false) await link.client.set("ss:alive", "1");
  const program = opts.program ?? [PYTHON, EPOCH_CHILD, dir];
  const nodes: TestNode[] = [];
  const relays: TcpRelay[] = [];
  let count = 0;
  const sparePorts: number[] = [];
  for (let i = 0; i < (opts.spare ?? 0); i++) sparePorts.push(await freePort());
  const start = async (port?: number) => {
    const relay = await startTcpRelay(redis.port);
    relays.push(relay);
    const id = `n${++count}`;
    const node = await startNode(opts.launcher, id, port, relay, [
      "--lease",
      String(lease),
      ...(opts.flags ?? []),
      ...program,
    ]);
    nodes.push(node);
    return node;
  };
  let haproxy: Haproxy | null = null;
  const close = async () => {
    await Promise.all(nodes.map((n) => n.server.stop("SIGKILL")));
    await haproxy?.stop();
    await Promise.all(relays.map((r) => r.close()));
    await link.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // All at once (starting a node is most of a test's time), then in the order of their ids.
    const started = await Promise.allSettled(
      Array.from({ length: opts.size ?? 3 }, () => start()),
    );
    for (const s of started) if (s.status === "rejected") throw s.reason;
    nodes.sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1)));
    haproxy = opts.haproxy
      ? await startHaproxy([
        ...nodes.map((n) => ({ name: n.id, port: n.port })),
        ...sparePorts.map((port, i) => ({
          name: `n${nodes.length + i + 1}`,
          port,
          disabled: true,
        })),
      ])
      : null;
  } catch (err) {
    // Nothing of a half-started cluster may outlive the test: its processes would hold it open.
    await close();
    throw err;
  }
  return {
    redis,
    link,
    nodes,
    haproxy,
    dir,
    leaseMs: lease * 1000,
    async owner(room) {
      const value = await link.client.get(roomKey("ss:", room, "lease"));
      return value === null ? null : parseLease(value)?.node ?? null;
    },
    logs: () =>
      nodes.map((n) => `--- ${n.id}:\n${n.server.stderr().split("\n").slice(-25).join("\n")}`)
        .join("\n"),
    addNode: () => start(sparePorts.shift()),
    close,
  };
}

/**
 * One node on a free port (or the one given) that it also advertises; retried on another port
 * when another process took it first.
 */
async function startNode(
  launcher: Launcher,
  id: string,
  given: number | undefined,
  relay: TcpRelay,
  args: string[],
): Promise<TestNode> {
  for (let attempt = 0;; attempt++) {
    const port = given ?? await freePort();
    const addr = `127.0.0.1:${port}`;
    try {
      const server = await launch(launcher, [
        "--addr",
        addr,
        "--cluster",
        relay.url,
        "--advertise",
        addr,
        "--node-id",
        id,
        ...args,
        // A node starts its watchdog (a second runtime) before it listens: slow on a busy box.
      ], { env: { SCALESOCKET_CLUSTER_SECRET: SECRET }, readyMs: 60_000 });
      const node: TestNode = {
        id,
        port,
        relay,
        server,
        ws: (path) => `ws://${addr}${path}`,
        http: (path) => `http://${addr}${path}`,
      };
      await waitFor(async () => await readyStatus(node) === 200, `${id} to be ready`, 15_000);
      return node;
    } catch (err) {
      if (given || attempt >= 4 || !/in use/i.test(String(err))) throw err;
    }
  }
}

/** The node's /ready status, or 0 when it does not answer. */
export async function readyStatus(node: TestNode): Promise<number> {
  try {
    const res = await fetch(node.http("/ready"), { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return 0;
  }
}

/**
 * A cluster for one describe(): started before its tests; after them, checked that no two
 * processes of a room ever ran at once, then stopped. started() hands it to the tests.
 */
export function clusterHooks(opts: ClusterOptions, started: (c: TestCluster) => void): void {
  let c: TestCluster | undefined;
  before(async () => started(c = await startCluster(opts)));
  after(async () => {
    try {
      if (c) assertNoOverlap(c.dir);
    } finally {
      await c?.close();
    }
  });
}
