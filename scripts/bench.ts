// The benchmark: scalesocket (bundle on Node and Deno) side by side with websocketd and a bare
// `ws` server, over fan-out, chat, echo, many rooms, idle memory, connection storms, a new
// room's start during a burst of handshakes, start-up;
// and two cluster nodes over one Redis, clients relayed to the room's owner or on it directly.
//
//   tsx scripts/bench.ts [--quick|--tiny] [--docs] [--out DIR] [--only a,b] [--peers a,b]
//                        [--workers N] [--no-install] [--from results.json]
//
// Needs `npm run build` first (it measures dist/scalesocket.mjs). Prints one line per run and
// writes a Markdown report, an SVG plot and results.json to --out (default node_modules/.cache/
// scalesocket-bench/); --docs writes them into docs/benchmarks.md and docs/benchmarks.svg.
// --from results.json writes the report and plot again from saved results, running nothing.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { buildPrograms, CACHE, requireBundle, ROOT } from "./bench/build.ts";
import { chat, echo, fanout, rooms } from "./bench/scenarios.ts";
import { cluster } from "./bench/cluster.ts";
import { burst, idle, startup, storm } from "./bench/lifecycle.ts";
import { DENO, ensureWebsocketd, type PeerId } from "./bench/peers.ts";
import { PLANS } from "./bench/plan.ts";
import { backgroundLoad } from "./bench/proc.ts";
import { Pool } from "./bench/pool.ts";
import { machine, report, type ReportInput, updateDocs } from "./bench/report.ts";
import type { Ctx, Row } from "./bench/run.ts";
import { plot } from "./bench/svg.ts";

const BUSY = " (the machine is not idle: numbers will be noisy)";
const SCENARIOS = [
  "fanout",
  "chat",
  "echo",
  "rooms",
  "idle",
  "storm",
  "burst",
  "startup",
  "cluster",
] as const;
const ALL_PEERS: PeerId[] = [
  "bare",
  "bare-cork",
  "bare-frame",
  "bare-pipe",
  "bare-pipe-deno",
  "websocketd",
  "node",
  "deno",
];

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const print = (text: string) => void process.stdout.write(text + "\n");

/** Runs the bench as the command line says; `say` gets each line of progress. */
export async function main(args: string[], say = print): Promise<number> {
  const outDir = option(args, "--out") ?? CACHE;
  const from = option(args, "--from");
  const results = from
    ? JSON.parse(readFileSync(from, "utf8")) as ReportInput
    : await measure(args, say);
  if (!results) return 2;
  const md = report(results);
  const svg = plot(results.rows);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, "benchmarks.md"), md);
  writeFileSync(join(outDir, "benchmarks.svg"), svg);
  if (!from) writeFileSync(join(outDir, "results.json"), JSON.stringify(results) + "\n");
  say(`\nreport: ${join(outDir, "benchmarks.md")}, plot and results.json beside it`);
  if (args.includes("--docs")) {
    const [doc, pic] = [`${ROOT}docs/benchmarks.md`, `${ROOT}docs/benchmarks.svg`];
    updateDocs(doc, md);
    writeFileSync(pic, svg);
    // Laid out as deno fmt wants them (it formats SVG too), so `npm run check` stays green.
    execFileSync(DENO, ["fmt", "--quiet", doc, pic], { stdio: "inherit" });
    say("updated docs/benchmarks.md and docs/benchmarks.svg");
  }
  return 0;
}

async function measure(args: string[], say: (text: string) => void) {
  const plan =
    PLANS[args.includes("--tiny") ? "tiny" : args.includes("--quick") ? "quick" : "full"];
  const only = option(args, "--only")?.split(",") ?? [...SCENARIOS];
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) {
    say(`Unknown scenario "${unknown[0]}": choose from ${SCENARIOS.join(",")}`);
    return null;
  }
  let peers = (option(args, "--peers")?.split(",") as PeerId[] | undefined) ?? ALL_PEERS;
  const workers = Number(option(args, "--workers") ?? 2);

  requireBundle();
  if (peers.includes("websocketd")) {
    const missing = ensureWebsocketd(!args.includes("--no-install"));
    if (missing) {
      say(missing);
      peers = peers.filter((p) => p !== "websocketd");
    }
  }
  const progs = await buildPrograms();
  const pool = new Pool(progs.worker, workers);
  const ctx: Ctx = { progs, pool, plan, peers, say };
  const started = performance.now();
  say(`bench: ${plan.name} plan, peers ${peers.join(", ")}, ${workers} load workers`);
  const background = await backgroundLoad();
  say(`background load: ${background.toFixed(0)}% of one core${background > 25 ? BUSY : ""}`);
  const rows: Row[] = [];
  try {
    if (only.includes("fanout")) rows.push(...await fanout(ctx, plan.ks));
    if (only.includes("chat")) rows.push(...await chat(ctx, plan.chatKs));
    if (only.includes("echo")) rows.push(...await echo(ctx, plan.echoKs));
    if (only.includes("rooms")) rows.push(...await rooms(ctx, plan.rooms));
    if (only.includes("idle")) rows.push(...await idle(ctx, plan.idleConns, plan.idleRooms));
    if (only.includes("storm")) {
      rows.push(...await storm(ctx, plan.stormSessions, plan.stormConcurrency));
    }
    if (only.includes("burst")) rows.push(...await burst(ctx, plan.burstCrowd, plan.burstReps));
    if (only.includes("startup")) rows.push(...await startup(ctx, plan.startupReps));
    if (only.includes("cluster")) rows.push(...await cluster(ctx, plan.clusterKs));
  } finally {
    pool.end();
  }
  const seconds = (performance.now() - started) / 1000;
  say(`bench took ${seconds.toFixed(0)} s`);
  return { rows, plan, machine: machine(), seconds, args, background };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
