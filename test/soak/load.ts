// The soak's workloads: thousands of connections held with traffic, and long join/leave churn.
// Each returns the numbers docs/security.md reports; every loop is bounded in count and time.
import WebSocket from "ws";
import type { Running } from "../e2e/harness.ts";
import { childrenOf, fdCount, rssMiB, rssSampler } from "../hostile/proc.ts";

export interface LoadOptions {
  connections: number;
  rooms: number;
  /** How long the connections are held, sending, after all are open. */
  holdMs: number;
  /** Each client sends one message this often (with jitter). */
  sendEveryMs: number;
  /** Connections being opened at once. */
  openWidth: number;
}

export interface LoadReport {
  connections: number;
  rooms: number;
  connectMs: number;
  connectsPerSec: number;
  connectErrors: number;
  /** Closes the server started during the hold (there should be none). */
  unexpectedCloses: number;
  sent: number;
  received: number;
  /** Messages each client expected (the room's whole output) but did not get. */
  missing: number;
  /** Round trip of a client's own message through its room's child, ms. */
  p50: number;
  p99: number;
  max: number;
  rssIdle: number;
  rssOpen: number;
  rssPeak: number;
  rssAfter: number;
  fdsIdle: number;
  fdsOpen: number;
  fdsAfter: number;
  childrenAfter: number;
}

interface Peer {
  ws: WebSocket;
  room: number;
  id: number;
  received: number;
  closedByServer: boolean;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 15_000 });
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Opens the connections, holds them with traffic through `cat` children, then closes them. */
export async function holdConnections(s: Running, o: LoadOptions): Promise<LoadReport> {
  const rssIdle = rssMiB(s.pid);
  const fdsIdle = fdCount(s.pid);
  const peers: Peer[] = [];
  const latencies: number[] = [];
  let connectErrors = 0;
  let next = 0;
  let holding = false;
  const sentTo = new Array<number>(o.rooms).fill(0);
  const began = Date.now();
  await Promise.all(Array.from({ length: o.openWidth }, async () => {
    while (next < o.connections) {
      const id = next++;
      const room = id % o.rooms;
      let ws: WebSocket;
      try {
        ws = await open(s.ws(`/load-${room}`));
      } catch {
        connectErrors++;
        continue;
      }
      const peer: Peer = { ws, room, id, received: 0, closedByServer: false };
      ws.on("message", (data: Buffer) => {
        if (!holding) return;
        peer.received++;
        // "<id> <sent at>": our own message back, through the child.
        const text = data.toString();
        const space = text.indexOf(" ");
        if (Number(text.slice(0, space)) === id) {
          latencies.push(Date.now() - Number(text.slice(space + 1)));
        }
      });
      ws.on("close", () => {
        if (holding) peer.closedByServer = true;
      });
      ws.on("error", () => {});
      peers.push(peer);
    }
  }));
  const connectMs = Date.now() - began;
  const rssOpen = rssMiB(s.pid);
  const fdsOpen = fdCount(s.pid);
  const peak = rssSampler(s.pid, 500);

  // Hold: every client sends now and then; each message goes to all of its room.
  holding = true;
  let sent = 0;
  const until = Date.now() + o.holdMs;
  const senders = peers.map(async (p) => {
    await sleep(Math.random() * o.sendEveryMs);
    while (Date.now() < until && p.ws.readyState === WebSocket.OPEN) {
      p.ws.send(`${p.id} ${Date.now()}`);
      sent++;
      sentTo[p.room]++;
      await sleep(o.sendEveryMs * (0.5 + Math.random()));
    }
  });
  await Promise.all(senders);
  await sleep(2_000); // the last echoes
  holding = false;
  const rssPeak = peak.stop();

  // Every client should have every message of its room (sent while it was there: all of them).
  let missing = 0;
  let received = 0;
  for (const p of peers) {
    received += p.received;
    missing += Math.max(0, sentTo[p.room] - p.received);
  }
  const unexpectedCloses = peers.filter((p) => p.closedByServer).length;

  await Promise.all(peers.map((p) =>
    new Promise<void>((resolve) => {
      if (p.ws.readyState === WebSocket.CLOSED) return resolve();
      const timer = setTimeout(() => {
        p.ws.terminate();
        resolve();
      }, 10_000);
      p.ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      p.ws.close();
    })
  ));
  // Rooms stop their children once empty: wait (bounded) for all of them to go.
  const deadline = Date.now() + 30_000;
  while (childrenOf(s.pid).length > 0 && Date.now() < deadline) await sleep(200);
  await sleep(1_000);
  latencies.sort((a, b) => a - b);
  return {
    connections: peers.length,
    rooms: o.rooms,
    connectMs,
    connectsPerSec: Math.round(peers.length / (connectMs / 1000)),
    connectErrors,
    unexpectedCloses,
    sent,
    received,
    missing,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    rssIdle: Math.round(rssIdle),
    rssOpen: Math.round(rssOpen),
    rssPeak: Math.round(rssPeak),
    rssAfter: Math.round(rssMiB(s.pid)),
    fdsIdle,
    fdsOpen,
    fdsAfter: fdCount(s.pid),
    childrenAfter: childrenOf(s.pid).length,
  };
}

export interface ChurnReport {
  cycles: number;
  ms: number;
  perSec: number;
  errors: number;
  rssBefore: number;
  rssAfter: number;
  fdsBefore: number;
  fdsAfter: number;
  childrenAfter: number;
}

/** Join, echo, leave, `cycles` times over `rooms` rooms, `width` at once (rooms per worker). */
export async function churn(
  s: Running,
  cycles: number,
  width: number,
  roomsPerWorker: number,
): Promise<ChurnReport> {
  const rssBefore = rssMiB(s.pid);
  const fdsBefore = fdCount(s.pid);
  let next = 0;
  let errors = 0;
  const began = Date.now();
  await Promise.all(Array.from({ length: width }, async (_, w) => {
    while (next < cycles) {
      const i = next++;
      try {
        const ws = await open(s.ws(`/churn-${w}-${i % roomsPerWorker}`));
        const echoed = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error("no echo")), 10_000);
          ws.once("message", () => {
            clearTimeout(timer);
            resolve();
          });
        });
        ws.send(`cycle ${i}`);
        await echoed;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            ws.terminate();
            resolve();
          }, 10_000);
          ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
          ws.close();
        });
      } catch {
        errors++;
      }
    }
  }));
  const ms = Date.now() - began;
  const deadline = Date.now() + 30_000;
  while (childrenOf(s.pid).length > 0 && Date.now() < deadline) await sleep(200);
  await sleep(1_000);
  return {
    cycles,
    ms,
    perSec: Math.round(cycles / (ms / 1000)),
    errors,
    rssBefore: Math.round(rssBefore),
    rssAfter: Math.round(rssMiB(s.pid)),
    fdsBefore,
    fdsAfter: fdCount(s.pid),
    childrenAfter: childrenOf(s.pid).length,
  };
}
