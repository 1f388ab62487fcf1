// The scenarios about connections and processes rather than messages: memory of idle
// connections and rooms, a storm of short sessions (each spawning a child), start-up time.
import { spawn } from "node:child_process";
import process from "node:process";
import { ROOT } from "./build.ts";
import { command, freePort, type PeerId, stop, waitForPort } from "./peers.ts";
import { startPeer } from "./peers.ts";
import { busy, descendants, pss, rss, usage } from "./proc.ts";
import { type Ctx, failed, peakRss, type Row, sleep } from "./run.ts";
import { line } from "./scenarios.ts";

const repeat = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));
const childMemory = (pid: number) => descendants(pid).reduce((n, p) => n + pss(p), 0);

function memRow(peer: PeerId, params: string, bytes: number, note?: string): Row {
  return {
    scenario: "idle",
    params,
    peer,
    value: bytes / 1024,
    unit: "KB",
    higherIsBetter: false,
    note,
  };
}

/**
 * Server memory growth per idle connection (C clients in one room) and per room (R rooms of
 * one client, less that client's share), after a warm-up client; children measured as PSS.
 */
export async function idle(ctx: Ctx, conns: number, rooms: number): Promise<Row[]> {
  const rows: Row[] = [];
  const able: PeerId[] = ["bare", "websocketd", "node", "deno"];
  for (const peer of ctx.peers.filter((p) => able.includes(p))) {
    const base = { scenario: "idle", params: `C=${conns}` };
    let server;
    try {
      server = await startPeer(peer, "cat", ctx.progs);
    } catch (err) {
      rows.push(failed(base, peer, err));
      continue;
    }
    try {
      await ctx.pool.open([server.url("/idle")]);
      await sleep(ctx.plan.settleMs / 2);
      const r0 = rss(server.pid);
      const k0 = childMemory(server.pid);
      const a = await ctx.pool.open(repeat(conns, () => server.url("/idle")));
      await sleep(ctx.plan.settleMs);
      const r1 = rss(server.pid);
      const k1 = childMemory(server.pid);
      const conn = (r1 - r0) / a.ok;
      const note = a.failed > 0 ? `${a.failed} failed to connect` : undefined;
      rows.push(memRow(peer, `per connection, server (C=${conns})`, conn, note));
      rows.push(
        memRow(peer, `per connection, with children (C=${conns})`, conn + (k1 - k0) / a.ok),
      );
      if (peer !== "websocketd") {
        const b = await ctx.pool.open(repeat(rooms, (i) => server.url(`/room${i}`)));
        await sleep(ctx.plan.settleMs);
        const room = (rss(server.pid) - r1) / b.ok - conn;
        const kids = (childMemory(server.pid) - k1) / b.ok;
        // RSS also shrinks when the heap is collected: a negative growth is noise, said so.
        const noise = room < 0 ? "below the noise of garbage collection" : undefined;
        rows.push(memRow(peer, `per room, server (R=${rooms})`, room, noise));
        rows.push(memRow(peer, `per room, with its child (R=${rooms})`, room + kids, noise));
      }
    } catch (err) {
      rows.push(failed(base, peer, err, server.log()));
    } finally {
      await ctx.pool.close().catch(() => {});
      await server.stop();
    }
    for (const r of rows.filter((r) => r.peer === peer)) ctx.say(line(r));
  }
  return rows;
}

/** C short sessions, each in its own room: connect, one echo through a fresh child, close. */
export async function storm(ctx: Ctx, sessions: number, concurrency: number): Promise<Row[]> {
  const rows: Row[] = [];
  const able: PeerId[] = ["bare", "websocketd", "node", "deno"];
  const params = `C=${sessions} concurrency=${concurrency}`;
  for (const peer of ctx.peers.filter((p) => able.includes(p))) {
    let row: Row;
    try {
      const server = await startPeer(peer, "cat", ctx.progs);
      try {
        const peak = peakRss(server.pid);
        const before = usage(server.pid, ctx.pool.pids);
        const urls = repeat(sessions, (i) => server.url(`/s${i}`));
        const s = await ctx.pool.storm(urls, concurrency, ctx.plan.timeoutMs);
        const after = usage(server.pid, ctx.pool.pids);
        row = {
          scenario: "storm",
          params,
          peer,
          value: s.ok / (s.ms / 1000),
          unit: "connects/s",
          higherIsBetter: true,
          p50: s.histogram.quantile(0.5) / 1000,
          p99: s.histogram.quantile(0.99) / 1000,
          rssMb: peak(),
          cpu: busy(before, after),
          note: s.failed > 0 ? `${s.failed} failed (${s.errors[0]})` : undefined,
        };
      } finally {
        await server.stop();
      }
    } catch (err) {
      row = failed({ scenario: "storm", params }, peer, err);
    }
    ctx.say(line(row));
    rows.push(row);
  }
  return rows;
}

/** Time from spawn to the first accepted TCP connection, median of `reps` starts. */
export async function startup(ctx: Ctx, reps: number): Promise<Row[]> {
  const rows: Row[] = [];
  const able: PeerId[] = ["bare-http", "bare", "websocketd", "node", "deno"];
  for (const peer of ["bare-http" as const, ...ctx.peers].filter((p) => able.includes(p))) {
    const ms: number[] = [];
    let row: Row;
    try {
      for (let i = 0; i < reps; i++) {
        const port = await freePort();
        const [cmd, ...args] = command(peer, "cat", ctx.progs, port);
        const t0 = performance.now();
        const p = spawn(cmd, args, { cwd: ROOT, stdio: "ignore", env: { ...process.env } });
        try {
          await waitForPort(p, port, 10_000);
          ms.push(performance.now() - t0);
        } finally {
          await stop(p);
        }
      }
      ms.sort((a, b) => a - b);
      row = {
        scenario: "startup",
        params: `median of ${reps}`,
        peer,
        value: ms[Math.floor(ms.length / 2)],
        unit: "ms",
        higherIsBetter: false,
        note: `min ${ms[0].toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`,
      };
    } catch (err) {
      row = failed({ scenario: "startup", params: `median of ${reps}` }, peer, err);
    }
    ctx.say(line(row));
    rows.push(row);
  }
  return rows;
}
