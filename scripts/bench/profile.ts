// The hot path: fan-out or chat (K=100) against `node --cpu-prof dist/scalesocket.mjs`, and
// the functions with the most self time, traced back through the bundle's source map.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { BUNDLE, CACHE } from "./build.ts";
import { type Plan, PLANS } from "./plan.ts";
import { goLine } from "./protocol.ts";
import { startPeer } from "./peers.ts";
import type { Ctx } from "./run.ts";
import { SourceMap } from "./sourcemap.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  /** Per cent of all samples. */
  share: number;
  ms: number;
  name: string;
  /** Where: original file:line for the bundle (via its source map), else the script URL. */
  where: string;
  /** The original source line, when known. */
  text: string | null;
}

export interface Profile {
  load: ProfileLoad;
  command: string;
  k: number;
  sizes: string;
  totalMs: number;
  top: HotFunction[];
  /** Self time by module (source file, or node internals, or the VM's own entries). */
  modules: { module: string; share: number }[];
}

export const PROFILE_K = 100;
const PROFILE_PLAN: Plan = {
  ...PLANS.full,
  fanoutTotal: 200_000,
  chatTotal: 200_000,
  echoTotal: 30_000,
  stormSessions: 300,
};

/** What to load the profiled server with: the output path, the input path, spawning. */
export type ProfileLoad = "fan-out" | "chat" | "echo" | "storm";
export const PROFILE_LOADS: ProfileLoad[] = ["fan-out", "chat", "echo", "storm"];

/** Drives one load, three rounds so the profile is mostly steady state; returns its sizes. */
async function drive(ctx: Ctx, load: ProfileLoad, url: (path: string) => string): Promise<string> {
  const k = PROFILE_K;
  // Sizes of their own, a few seconds of load each, whatever the plan (but tiny's).
  const plan = ctx.plan.name === "tiny" ? ctx.plan : PROFILE_PLAN;
  const run = (o: { expect: number; send: number; trigger: string | null }) =>
    ctx.pool.run({
      ...o,
      senders: k,
      window: load === "echo" ? 1 : 8,
      trigger: o.trigger ? { clients: [0], text: o.trigger } : null,
      timeoutMs: plan.timeoutMs,
    });
  const paths = Array.from({ length: k }, (_, i) => load === "echo" ? `/e${i}` : "/p");
  if (load === "storm") {
    const urls = Array.from({ length: plan.stormSessions }, (_, i) => url(`/s${i}`));
    await ctx.pool.storm(urls, plan.stormConcurrency, plan.timeoutMs);
    return `${plan.stormSessions} sessions`;
  }
  await ctx.pool.open(paths.map(url));
  const n = Math.max(10, Math.round(plan.fanoutTotal / k));
  const m = Math.max(1, Math.round(plan.chatTotal / (k * k)));
  const e = Math.max(5, Math.round(plan.echoTotal / k));
  for (let round = 0; round < 3; round++) {
    if (load === "fan-out") await run({ expect: n, send: 0, trigger: goLine(n) });
    else if (load === "chat") await run({ expect: m * k, send: m, trigger: null });
    else await run({ expect: e, send: e, trigger: null });
  }
  await ctx.pool.close();
  const sizes = { "fan-out": `${n} lines`, chat: `${m} messages per client`, echo: `${e} echoes` };
  return `${sizes[load]}, 3 rounds`;
}

export async function profileRun(ctx: Ctx, load: ProfileLoad): Promise<Profile | null> {
  const dir = `${CACHE}profile-${load}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const program = load === "fan-out" ? "lines" : "cat";
  const server = await startPeer("node", program, ctx.progs, { profileDir: dir });
  let sizes: string;
  try {
    sizes = await drive(ctx, load, server.url);
  } finally {
    // The profile is written when the server exits of its own accord (SIGTERM drains).
    await server.stop();
  }
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) {
    ctx.say(`no CPU profile written to ${dir}`);
    return null;
  }
  const prof = JSON.parse(readFileSync(`${dir}/${file}`, "utf8")) as CpuProfile;
  const map = new SourceMap(JSON.parse(readFileSync(`${BUNDLE}.map`, "utf8")));
  const summary = summarise(prof, map);
  ctx.say(`profile of ${load}: ${dir}/${file}`);
  for (const f of summary.top.slice(0, 10)) {
    ctx.say(`  ${f.share.toFixed(1)}%  ${f.name}  ${f.where}`);
  }
  return {
    load,
    command: `node --cpu-prof dist/scalesocket.mjs --addr 127.0.0.1:0 ${
      program === "lines" ? "node lines.mjs" : "cat"
    }`,
    k: PROFILE_K,
    sizes,
    ...summary,
  };
}

export function summarise(prof: CpuProfile, map: SourceMap) {
  const byId = new Map(prof.nodes.map((nd) => [nd.id, nd.callFrame]));
  const self = new Map<number, number>();
  let totalUs = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    totalUs += dt;
  });
  const fns = new Map<string, HotFunction>();
  const modules = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = byId.get(id)!;
    const f = describe(cf, map);
    const key = `${f.name}@${f.where}`;
    const hot = fns.get(key) ?? { ...f, share: 0, ms: 0 };
    hot.ms += us / 1000;
    fns.set(key, hot);
    const mod = moduleOf(cf, f.where);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
  }
  const share = (us: number) => (100 * us) / Math.max(totalUs, 1);
  const top = [...fns.values()]
    .map((f) => ({ ...f, share: share(f.ms * 1000) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 20);
  return {
    totalMs: totalUs / 1000,
    top,
    modules: [...modules].map(([module, us]) => ({ module, share: share(us) }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 12),
  };
}

function describe(cf: CallFrame, map: SourceMap): Omit<HotFunction, "share" | "ms"> {
  const name = cf.functionName || "(anonymous)";
  if (cf.url.endsWith("/scalesocket.mjs")) {
    const o = map.lookup(cf.lineNumber, cf.columnNumber);
    if (o) {
      const source = o.source.replace(/^(\.\.\/)+/, "");
      return { name: o.name ?? name, where: `${source}:${o.line}`, text: o.text };
    }
  }
  const url = cf.url.replace(/^file:\/\//, "");
  return { name, where: url ? `${url}:${cf.lineNumber + 1}` : "", text: null };
}

function moduleOf(cf: CallFrame, where: string): string {
  if (!cf.url) return cf.functionName.startsWith("(") ? cf.functionName : "(native)";
  if (cf.url.startsWith("node:")) return "node internals";
  const file = where.replace(/:\d+$/, "");
  const ws = /node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(file);
  return ws ? ws[1] : file;
}
