// What the bench's processes say to each other: the coordinator's orders to its load workers,
// their answers, and the payload every measured message carries (a send time, then ids).
import process from "node:process";

/** Microseconds of wall-clock time: the clock `date +%s%N` in a child reads too. */
export function wallUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Microseconds on CLOCK_MONOTONIC: the same clock in every process of this machine. */
export function nowUs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1e3);
}

/** Every measured message is this long (without the newline a child adds), like a short line. */
export const PAYLOAD_BYTES = 48;

/** `<sent µs> <sender> <seq>` padded with dots: the receiver parses the leading numbers only. */
export function payload(sender: number, seq: number): string {
  const head = `${nowUs()} ${sender} ${seq} `;
  return head.length >= PAYLOAD_BYTES ? head : head + ".".repeat(PAYLOAD_BYTES - head.length);
}

const SPACE = 0x20;
const ZERO = 0x30;

/** The n-th (0-based) space-separated decimal number of a payload; -1 when there is none. */
export function field(buf: Uint8Array, n: number): number {
  let i = 0;
  for (let skip = n; skip > 0 && i < buf.length; i++) if (buf[i] === SPACE) skip--;
  let v = 0;
  let digits = 0;
  for (; i < buf.length; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    digits++;
  }
  return digits === 0 ? -1 : v;
}

/**
 * The line a fan-out source (child or bare server) waits for: print `n` lines now, as fast as
 * they go, or paced at `rate` lines per second.
 */
export const goLine = (n: number, rate = 0) => rate > 0 ? `go ${n} ${rate}` : `go ${n}`;
export const GO = /^go (\d+)(?: (\d+))?$/;

/** Calls emit(from, to) every 5 ms with the lines due by then, until n lines went out. */
export function pace(n: number, rate: number, emit: (from: number, to: number) => void): void {
  const t0 = performance.now();
  let sent = 0;
  const tick = () => {
    const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
    if (due > sent) emit(sent, sent = due);
    if (sent < n) setTimeout(tick, 5);
  };
  tick();
}

/** Orders from the coordinator; each is answered by exactly one Reply (run: armed, go: ran). */
export type Order =
  | {
    t: "open";
    /** Global index of the first client, so ids are unique across workers. */
    first: number;
    urls: string[];
    concurrency: number;
  }
  | {
    t: "run";
    /** Messages each client must receive before it is done. */
    expect: number;
    /** Messages each sending client sends (closed loop: `window` of its own in flight). */
    send: number;
    /** How many clients send: those with an index below this. */
    senders: number;
    window: number;
    /**
     * When set, each sender sends a message every this many ms instead of in a closed loop, so
     * one message's delivery to all clients is over before the next leaves (latency passes).
     */
    every?: number;
    /** Clients (by index in the urls of open) that send this text once at the start. */
    trigger: { clients: number[]; text: string } | null;
    timeoutMs: number;
  }
  | { t: "go" }
  | { t: "storm"; first: number; urls: string[]; concurrency: number; timeoutMs: number }
  | {
    t: "burst";
    /** The first client of a new room (its child prints its start), then all of the crowd. */
    fresh: string;
    crowd: string[];
    timeoutMs: number;
  }
  | { t: "close" };

export interface RunResult {
  t: "ran";
  received: number;
  /** Clients that got all they expected. */
  complete: number;
  /** When the first order was sent (µs), or 0 when this worker sent none. */
  started: number;
  /** When the last message arrived (µs). */
  last: number;
  hist: number[];
  /** Close codes seen during the run, with counts. */
  closes: Record<string, number>;
}

export type Reply =
  | { t: "opened"; ok: number; failed: number; errors: string[] }
  | { t: "armed" }
  | RunResult
  | { t: "stormed"; ok: number; failed: number; errors: string[]; hist: number[]; ms: number }
  | Bursted
  | { t: "closed" };

export interface Bursted {
  t: "bursted";
  /** From the fresh client's connect to its child's start, and to the first byte (µs). */
  spawnUs: number | null;
  firstUs: number | null;
  /** Crowd clients that opened, and the first errors of those that did not. */
  ok: number;
  failed: number;
  errors: string[];
}
