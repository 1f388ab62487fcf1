// The traffic scenarios: fan-out, chat, echo per connection, many rooms. Each runs every peer
// that can do the work, one after the other, on the same machine in the same run.
import type { PeerId } from "./peers.ts";
import { goLine } from "./protocol.ts";
import { type Ctx, failed, type Row, type Traffic, traffic } from "./run.ts";

/** Peers able to broadcast to a room; websocketd has no rooms. */
const ROOMED: PeerId[] = ["bare", "bare-cork", "node", "deno"];
/**
 * Fan-out adds the fastest bare server, to show how much the load workers can take: as long
 * as it delivers well above the others, the clients are not what limits them.
 */
const FANOUT: PeerId[] = [...ROOMED, "bare-frame"];
/** Peers able to echo per connection. */
const ECHOING: PeerId[] = [
  "bare",
  "bare-cork",
  "bare-pipe",
  "bare-pipe-deno",
  "websocketd",
  "node",
  "deno",
];

async function each(
  ctx: Ctx,
  able: PeerId[],
  row: Pick<Row, "scenario" | "params" | "x">,
  program: "lines" | "cat",
  t: Traffic,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const peer of ctx.peers.filter((p) => able.includes(p))) {
    const r = await traffic(ctx, peer, program, t, row).catch((err) => failed(row, peer, err));
    ctx.say(line(r));
    rows.push(r);
  }
  return rows;
}

export function line(r: Row): string {
  const lat = r.p50 === undefined
    ? ""
    : `  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99!.toFixed(2)} ms`;
  const cpu = r.cpu
    ? `  cpu server ${r.cpu.server.toFixed(0)}% child ${r.cpu.children.toFixed(0)}% clients ${
      r.cpu.clients.toFixed(0)
    }% machine ${r.cpu.machine.toFixed(0)}%`
    : "";
  const owner = r.cpu?.owner
    ? `  ${r.peer === "cluster-proxied" ? "proxy" : "owner"} ${
      r.cpu.owner.server.toFixed(0)
    }% child ${r.cpu.owner.children.toFixed(0)}%`
    : "";
  const value = Number.isNaN(r.value) ? "-" : `${Math.round(r.value)} ${r.unit}`;
  return `${r.scenario} ${r.params} ${r.peer}: ${value}${lat}${cpu}${owner}${
    r.note ? `  (${r.note})` : ""
  }`;
}

const repeat = <T>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

/** The paced pass of a fan-out over `clients` in all, triggered by one client per room. */
function paced(ctx: Ctx, clients: number, triggers: number[]): Traffic["paced"] {
  // Lines per second per room, so that all rooms together deliver pacedRate messages/s.
  const rate = Math.max(1, Math.round(ctx.plan.pacedRate / clients));
  const n = Math.max(5, Math.round(rate * ctx.plan.pacedSeconds));
  return { trigger: { clients: triggers, text: goLine(n, rate) }, expect: n };
}

/** One room, its child prints N lines, K clients receive every one. */
export async function fanout(ctx: Ctx, ks: number[]): Promise<Row[]> {
  const total = ctx.plan.fanoutTotal;
  const rows: Row[] = [];
  for (const k of ks) {
    const n = Math.max(10, Math.round(total / k));
    rows.push(
      ...await each(ctx, FANOUT, { scenario: "fan-out", params: `K=${k} N=${n}`, x: k }, "lines", {
        paths: repeat(k, () => "/fan"),
        expect: n,
        send: 0,
        senders: 0,
        window: 0,
        trigger: { clients: [0], text: goLine(n) },
        paced: paced(ctx, k, [0]),
      }),
    );
  }
  return rows;
}

/**
 * One room, S of its K clients each sending M messages, `cat` echoing every line to all K.
 * S is K unless K² messages would outgrow the plan; then S senders send one message each.
 */
export async function chat(ctx: Ctx, ks: number[]): Promise<Row[]> {
  const total = ctx.plan.chatTotal;
  const rows: Row[] = [];
  for (const k of ks) {
    const s = Math.min(k, Math.max(1, Math.round(total / k)));
    const m = Math.max(1, Math.round(total / (k * s)));
    const params = s === k ? `K=${k} M=${m}` : `K=${k} S=${s} M=${m}`;
    rows.push(
      ...await each(ctx, ROOMED, { scenario: "chat", params, x: k }, "cat", {
        paths: repeat(k, () => "/chat"),
        expect: m * s,
        send: m,
        senders: s,
        window: 8,
        trigger: null,
      }),
    );
  }
  return rows;
}

/**
 * K clients, each in a room of its own (so each with its own `cat`: the process-per-connection
 * shape of websocketd, until --perconnection exists), each echoing M messages one at a time.
 */
export async function echo(ctx: Ctx, ks: number[]): Promise<Row[]> {
  const total = ctx.plan.echoTotal;
  const rows: Row[] = [];
  for (const k of ks) {
    const m = Math.max(5, Math.round(total / k));
    rows.push(
      ...await each(ctx, ECHOING, { scenario: "echo", params: `K=${k} M=${m}`, x: k }, "cat", {
        paths: repeat(k, (i) => `/e${i}`),
        expect: m,
        send: m,
        senders: k,
        window: 1,
        trigger: null,
      }),
    );
  }
  return rows;
}

/** R rooms of K clients, every room's child printing N lines at once. */
export async function rooms(ctx: Ctx, shapes: [number, number][]): Promise<Row[]> {
  const total = ctx.plan.fanoutTotal;
  const rows: Row[] = [];
  for (const [r, k] of shapes) {
    const n = Math.max(10, Math.round(total / (r * k)));
    const params = `R=${r} K=${k} N=${n}`;
    rows.push(
      ...await each(ctx, ROOMED, { scenario: "rooms", params, x: r }, "lines", {
        paths: repeat(r * k, (i) => `/r${Math.floor(i / k)}`),
        expect: n,
        send: 0,
        senders: 0,
        window: 0,
        trigger: { clients: repeat(r, (i) => i * k), text: goLine(n) },
        paced: paced(ctx, r * k, repeat(r, (i) => i * k)),
      }),
    );
  }
  return rows;
}
