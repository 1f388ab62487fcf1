// The Markdown report: the machine, the command, the targets, then one table per scenario
// with ratios against the reference peers first and absolute numbers after.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import process from "node:process";
import { ROOT } from "./build.ts";
import { DENO, LABELS, type PeerId } from "./peers.ts";
import type { Plan } from "./plan.ts";
import type { Busy } from "./proc.ts";
import type { Row } from "./run.ts";
import { si } from "./svg.ts";
import { clusterTargets } from "./cluster.ts";

export interface Machine {
  cpus: string;
  memory: string;
  os: string;
  versions: string;
  commit: string;
}

function tryRun(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })
      .split("\n")[0].trim();
  } catch {
    return "absent";
  }
}

/** Debian's websocketd says only "DEVBUILD": its package version says more. */
function websocketdVersion(): string {
  const pkg = tryRun("dpkg-query", ["-W", "-f=${Version}", "websocketd"]);
  const own = tryRun("sh", ["-c", "websocketd --version"]).replace(/^websocketd\s*/, "");
  return pkg !== "absent" && pkg !== "" ? `${pkg} (Debian)` : own;
}

export function machine(): Machine {
  const cpus = os.cpus();
  const ws = JSON.parse(readFileSync(`${ROOT}node_modules/ws/package.json`, "utf8")).version;
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version;
  const dirty = tryRun("git", ["-C", ROOT, "status", "--porcelain", "--", "src"]) ? "+changes" : "";
  return {
    cpus: `${os.availableParallelism()} × ${cpus[0]?.model ?? "unknown"}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    versions: [
      `node ${process.version}`,
      tryRun(DENO, ["--version"]),
      `websocketd ${websocketdVersion()}`,
      `ws ${ws}`,
      `scalesocket ${pkg}`,
    ].join(", "),
    commit: tryRun("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]) + dirty,
  };
}

/** The peers each scenario's ratios are taken against, in column order. */
const REFS: Record<string, PeerId[]> = {
  "fan-out": ["bare-cork", "bare"],
  "chat": ["bare-cork", "bare"],
  "rooms": ["bare-cork", "bare"],
  "echo": ["websocketd", "bare-pipe"],
  "storm": ["websocketd", "bare"],
  "idle": ["bare", "websocketd"],
  "burst": ["websocketd", "bare-pipe"],
  "startup": ["bare-http", "websocketd"],
  "cluster fan-out": ["cluster-direct", "node"],
  "cluster chat": ["cluster-direct", "node"],
};

const TITLES: Record<string, string> = {
  "fan-out": "Fan-out: one room, its child prints N lines, K clients receive them all",
  "chat": "Chat: one room, K clients each sending M messages (8 in flight), `cat` echoes to all",
  "echo": "Echo per connection: K clients, each its own room and `cat`, one message in flight",
  "rooms": "Many rooms: R rooms of K clients, each room's child printing N lines at once",
  "idle": "Idle memory: server RSS growth (children as PSS)",
  "storm": "Connection storm: connect, one echo through a freshly spawned `cat`, close",
  "burst":
    "Burst: a new room's first client, then C more at once: connect to the child's start (ms)",
  "startup": "Start-up: spawn to first accepted TCP connection",
  "cluster fan-out": "Cluster fan-out: as fan-out, clients on the room's owner or relayed to it",
  "cluster chat": "Cluster chat: as chat (latency: one sender, its messages paced)",
};

export function ratio(rows: Row[], r: Row, ref: PeerId): number {
  const base = rows.find((o) =>
    o.scenario === r.scenario && o.params === r.params && o.peer === ref
  );
  return base && Number.isFinite(base.value) && base.value > 0 ? r.value / base.value : NaN;
}

const fmt = (v: number | undefined, digits = 2) =>
  v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits);
const times = (v: number) => Number.isFinite(v) ? `${v.toFixed(2)}×` : "–";

/** Which resource ran out, by the CPU each party used (per cent of one core). */
export function bound(r: Row): string {
  if (!r.cpu) return "";
  const { server, children, machine } = r.cpu;
  if (server >= 85) return "server";
  if (children >= 85) return "child";
  if (machine >= 175) return "cores full";
  return "–";
}

/** CPU no process of ours was charged with: the kernel's loopback work and other users. */
export const others = (c: Busy) => {
  const owner = c.owner ? c.owner.server + c.owner.children : 0;
  return Math.max(0, c.machine - c.server - c.children - c.clients - owner);
};

/** A relaying node's row also shows the owner's CPU, server / child; a proxied row the proxy's. */
const ownerCpu = (c: Busy, peer: PeerId) => {
  if (!c.owner) return "";
  const who = peer === "cluster-proxied" ? "proxy" : "owner";
  return `; ${who} ${c.owner.server.toFixed(0)} / ${c.owner.children.toFixed(0)}`;
};

function table(rows: Row[], scenario: string): string[] {
  const mine = rows.filter((r) => r.scenario === scenario);
  if (mine.length === 0) return [];
  const refs = REFS[scenario].filter((p) => mine.some((r) => r.peer === p));
  const timed = mine.some((r) => r.cpu);
  const head = ["params", "peer", ...refs.map((p) => `× ${LABELS[p]}`), mine[0].unit || "value"];
  if (timed) {
    head.push(
      "p50 ms",
      "p99 ms",
      "server RSS MiB",
      "CPU % server / child / clients / others",
      "bound",
    );
  }
  head.push("note");
  const out = [`### ${TITLES[scenario]}`, "", `| ${head.join(" | ")} |`];
  out.push(`|${head.map(() => " --- ").join("|")}|`);
  for (const r of mine) {
    const cells = [r.params, LABELS[r.peer], ...refs.map((p) => times(ratio(rows, r, p)))];
    cells.push(Number.isFinite(r.value) ? (r.unit === "ms" ? fmt(r.value, 0) : si(r.value)) : "–");
    if (timed) {
      cells.push(fmt(r.p50), fmt(r.p99), fmt(r.rssMb, 0));
      cells.push(
        r.cpu
          ? [r.cpu.server, r.cpu.children, r.cpu.clients, others(r.cpu)]
            .map((v) => v.toFixed(0)).join(" / ") + ownerCpu(r.cpu, r.peer)
          : "–",
        bound(r),
      );
    }
    cells.push(r.note ?? "");
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.concat("");
}

function find(rows: Row[], scenario: string, params: RegExp, peer: PeerId): Row | undefined {
  return rows.find((r) => r.scenario === scenario && params.test(r.params) && r.peer === peer);
}

/** The targets, each for Node and Deno: the measured ratio and whether it is met. */
function targets(rows: Row[]): string[] {
  const out = ["| target | scalesocket node | scalesocket deno |", "| --- | --- | --- |"];
  // Judged on the value as shown (two decimals), so 0.795 does not read "0.80× not met".
  const cell = (v: number, ok: (v: number) => boolean, show: (v: number) => string) =>
    Number.isFinite(v)
      ? `${show(v)} ${ok(Number(v.toFixed(2))) ? "met" : "**not met**"}`
      : "not measured";
  const line = (name: string, f: (peer: PeerId) => string) =>
    out.push(`| ${name} | ${f("node")} | ${f("deno")} |`);
  const r = (s: string, p: RegExp, peer: PeerId, ref: PeerId) => {
    const row = find(rows, s, p, peer);
    return row ? ratio(rows, row, ref) : NaN;
  };
  line(
    "fan-out K=100 ≥ 0.8× bare ws (corked)",
    (p) => cell(r("fan-out", /^K=100 /, p, "bare-cork"), (v) => v >= 0.8, times),
  );
  line(
    "fan-out K=100 ≥ 0.8× bare ws (send per message)",
    (p) => cell(r("fan-out", /^K=100 /, p, "bare"), (v) => v >= 0.8, times),
  );
  for (const k of [...new Set(rows.filter((x) => x.scenario === "echo").map((x) => x.x))]) {
    line(
      `echo K=${k} ≥ 1.0× websocketd`,
      (p) => cell(r("echo", new RegExp(`^K=${k} `), p, "websocketd"), (v) => v >= 1, times),
    );
  }
  line("server memory per idle connection ≤ 20 KB on Node, ≤ 25 KB on Deno", (p) =>
    cell(
      find(rows, "idle", /^per connection, server/, p)?.value ?? NaN,
      (v) => v <= (p === "deno" ? 25 : 20),
      (v) => `${v.toFixed(1)} KB`,
    ));
  line("a new room's child started ≤ 20 ms into a burst of handshakes", (p) =>
    cell(
      find(rows, "burst", /^C=[1-9]/, p)?.value ?? NaN,
      (v) => v <= 20,
      (v) => `${v.toFixed(1)} ms`,
    ));
  line(
    "start-up ≤ 2× bare node:http",
    (p) => cell(r("startup", /./, p, "bare-http"), (v) => v <= 2, times),
  );
  return out.concat(clusterTargets(rows), "");
}

export interface ReportInput {
  rows: Row[];
  plan: Plan;
  machine: Machine;
  seconds: number;
  args: string[];
  /** Per cent of one core busy before the bench started. */
  background: number;
}

export function report(i: ReportInput): string {
  const m = i.machine;
  const out = [
    `Plan \`${i.plan.name}\`, run ${new Date().toISOString().slice(0, 16)}Z in ${
      i.seconds.toFixed(0)
    } s, at commit ${m.commit}: \`tsx scripts/bench.ts ${i.args.join(" ")}\`.`,
    "",
    `- machine: ${m.cpus}, ${m.memory}, ${m.os}`,
    `- versions: ${m.versions}`,
    `- background load before the run: ${i.background.toFixed(0)}% of one core`,
    "",
    "![messages delivered per second against K](benchmarks.svg)",
    "",
    "#### Targets",
    "",
    ...targets(i.rows),
    ...Object.keys(TITLES).flatMap((s) => table(i.rows, s)),
  ];
  return out.join("\n");
}

const BEGIN = "<!-- bench:begin (written by scripts/bench.ts --docs) -->";
const END = "<!-- bench:end -->";

/** Replaces the generated part of docs/benchmarks.md, keeping the hand-written rest. */
export function updateDocs(path: string, md: string): void {
  const old = existsSync(path) ? readFileSync(path, "utf8") : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const a = old.indexOf(BEGIN);
  const b = old.indexOf(END);
  const body = `${BEGIN}\n\n${md}\n${END}`;
  const next = a >= 0 && b > a
    ? old.slice(0, a) + body + old.slice(b + END.length)
    : `${old.trimEnd()}\n\n${body}\n`;
  writeFileSync(path, next);
}
