// The scenarios about connections and processes rather than messages: memory of idle
// connections and rooms, a storm of short sessions (each spawning a child), a new room's child
// starting during a burst of handshakes, start-up time.
import { spawn } from "node:child_process";
import process from "node:process";
import { ROOT } from "./build.ts";
import { command, freePort, type PeerId, stop, waitForPort } from "./peers.ts";
import { startPeer } from "./peers.ts";
import { busy, descendants, pss, rss, settled, usage } from "./proc.ts";
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

/**
 * A new room's first client, followed at once by `crowd` more, and (alternating with it, for
 * the same load) a new room's client alone: from that client's connect to the room's child
 * starting, median of `reps`, and to its first byte.
 */
export async function burst(ctx: Ctx, crowd: number, reps: number): Promise<Row[]> {
  const rows: Row[] = [];
  const able: PeerId[] = ["bare-pipe", "bare-pipe-deno", "websocketd", "node", "deno"];
  for (const peer of ctx.peers.filter((p) => able.includes(p))) {
    const sizes = [0, crowd];
    let mine: Row[];
    try {
      const server = await startPeer(peer, "hello", ctx.progs);
      const runs = sizes.map(() => ({ spawn: [] as number[], first: [] as number[] }));
      try {
        for (let i = 0; i < reps; i++) {
          for (const [j, c] of sizes.entries()) {
            const room = server.url(`/burst${i}-${c}`);
            const b = await ctx.pool.burst(room, repeat(c, () => room), ctx.plan.timeoutMs);
            await ctx.pool.close();
            // The next client is timed from a server done with this one's room and crowd.
            await settled(server.pid);
            if (b.firstUs === null) throw new Error(b.errors[0] ?? "no first byte");
            if (b.failed > 0) throw new Error(`${b.failed} of ${c} failed: ${b.errors[0]}`);
            runs[j].spawn.push(b.spawnUs! / 1000);
            runs[j].first.push(b.firstUs / 1000);
          }
        }
      } finally {
        await server.stop();
      }
      mine = runs.map((r, j) => burstRow(peer, sizes[j], r.spawn, r.first));
    } catch (err) {
      mine = sizes.map((c) => failed({ scenario: "burst", params: `C=${c}` }, peer, err));
    }
    for (const r of mine) ctx.say(line(r));
    rows.push(...mine);
  }
  return rows;
}

function burstRow(peer: PeerId, crowd: number, spawn: number[], first: number[]): Row {
  const median = (v: number[]) => v.sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const worst = Math.max(...spawn);
  return {
    scenario: "burst",
    params: `C=${crowd}`,
    peer,
    value: median(spawn),
    unit: "ms",
    higherIsBetter: false,
    note: `first byte ${median(first).toFixed(0)} ms, slowest start ${worst.toFixed(0)} ms`,
  };
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
