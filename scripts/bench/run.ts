// One measured run: start a peer, open the clients, drive traffic, and read off throughput,
// latency and who was busy (server, its children, the load workers) while it lasted.
import type { Programs } from "./build.ts";
import type { Plan } from "./plan.ts";
import type { Pool } from "./pool.ts";
import { type Busy, busy, rss, usage } from "./proc.ts";
import { type PeerId, type Program, type Server, startPeer } from "./peers.ts";
import type { Hist } from "./hist.ts";
import type { RunResult } from "./protocol.ts";

export interface Ctx {
  progs: Programs;
  pool: Pool;
  plan: Plan;
  peers: PeerId[];
  /** Each run's line of progress. */
  say(text: string): void;
}

/** One line of a result table. */
export interface Row {
  scenario: string;
  /** The sizes, as shown ("K=100"). */
  params: string;
  /** The x of the plot, when the scenario is plotted. */
  x?: number;
  peer: PeerId;
  /** The headline number (msgs/s, connects/s, KB, ms) and its unit. */
  value: number;
  unit: string;
  /** Higher is better for msgs/s and connects/s, lower for memory and time. */
  higherIsBetter: boolean;
  p50?: number;
  p99?: number;
  /** Peak server RSS during the run, MiB. */
  rssMb?: number;
  /** Per cent of one core: the server process, its children, the load workers, all cores. */
  cpu?: Busy;
  /** Anything that makes the number suspect: failures, lost messages. */
  note?: string;
}

export interface Traffic {
  /** Paths of the clients, one per client (several the same: one room). */
  paths: string[];
  /** Messages each client must receive. */
  expect: number;
  /** Messages each sending client sends, closed loop with `window` in flight. */
  send: number;
  /** Clients that send: the first `senders` of paths. */
  senders: number;
  window: number;
  trigger: { clients: number[]; text: string } | null;
  /**
   * A second pass on the same clients for latency below saturation: its trigger makes the
   * sources pace their lines, or one sender sends one message at a time. Without it, latency
   * comes from the throughput pass.
   */
  paced?: Partial<Pick<Traffic, "trigger" | "send" | "senders" | "window">> & {
    expect: number;
    /** ms between a sender's messages, instead of a closed loop (see protocol.ts). */
    every?: number;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Samples a pid's RSS every 50 ms until stopped; returns the peak in MiB. */
export function peakRss(pid: number): () => number {
  let peak = rss(pid);
  const timer = setInterval(() => peak = Math.max(peak, rss(pid)), 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rss(pid)) / 2 ** 20;
  };
}

export async function traffic(
  ctx: Ctx,
  peer: PeerId,
  program: Program,
  t: Traffic,
  row: Pick<Row, "scenario" | "params" | "x">,
  start: () => Promise<Server> = () => startPeer(peer, program, ctx.progs),
): Promise<Row> {
  const server = await start();
  const timeoutMs = ctx.plan.timeoutMs;
  try {
    const opened = await ctx.pool.open(t.paths.map(server.url), server.joining);
    const notes: string[] = [];
    if (opened.failed > 0) notes.push(`${opened.failed} failed to connect (${opened.errors[0]})`);
    server.joined?.();
    // Let the rooms' children start before the clock does.
    await sleep(ctx.plan.settleMs / 3);
    const peak = peakRss(server.pid);
    const expected = opened.ok * t.expect;
    // The best of `repeats` passes: other work on the machine only ever slows a pass down.
    let best: { rate: number; r: RunResult & { histogram: Hist }; cpu: Busy } | null = null;
    for (let i = 0; i < ctx.plan.repeats; i++) {
      const before = usage(server.pid, ctx.pool.pids);
      const also = server.also ? usage(server.also, []) : null;
      const r = await ctx.pool.run({ ...t, timeoutMs });
      const cpu = busy(before, usage(server.pid, ctx.pool.pids));
      if (also) cpu.owner = busy(also, usage(server.also!, []));
      if (r.received < expected) {
        notes.push(`got ${r.received} of ${expected} messages`);
        const codes = Object.entries(r.closes).map(([c, n]) => `${n}×${c}`).join(" ");
        if (codes) notes.push(`closes ${codes}`);
      }
      const rate = r.received / (Math.max(r.last - r.started, 1) / 1e6);
      if (!best || rate > best.rate) best = { rate, r, cpu };
    }
    const { rate, r, cpu } = best!;
    const rssMb = peak();
    let latency = r.histogram;
    if (t.paced) {
      const quiet = { send: 0, senders: 0, window: 0, trigger: null };
      const p = await ctx.pool.run({ ...t, ...quiet, ...t.paced, timeoutMs });
      latency = p.histogram;
      if (p.received < opened.ok * t.paced.expect) notes.push("paced pass incomplete");
    }
    return {
      ...row,
      peer,
      value: rate,
      unit: "msgs/s",
      higherIsBetter: true,
      p50: latency.quantile(0.5) / 1000,
      p99: latency.quantile(0.99) / 1000,
      rssMb,
      cpu,
      note: notes.join("; ") || undefined,
    };
  } catch (err) {
    return failed(row, peer, err, server.log());
  } finally {
    await ctx.pool.close().catch(() => {});
    await server.stop();
  }
}

export function failed(
  row: Pick<Row, "scenario" | "params" | "x">,
  peer: PeerId,
  err: unknown,
  log = "",
): Row {
  const tail = log.trim().split("\n").pop() ?? "";
  const note = `failed: ${(err as Error).message}${tail ? ` (server: ${tail.slice(0, 120)})` : ""}`;
  return { ...row, peer, value: NaN, unit: "", higherIsBetter: true, note };
}
