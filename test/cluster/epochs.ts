// Reads the fixture children's logs (test/fixtures/epoch.py) and proves no two epochs of a room
// ever ran at the same moment.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

export const EPOCH_CHILD = fileURLToPath(new URL("../fixtures/epoch.py", import.meta.url));

/** One child's life as its lines show it: first and last stamp, CLOCK_MONOTONIC ms. */
export interface Run {
  epoch: number;
  node: string;
  pid: number;
  first: number;
  last: number;
}

/** CLOCK_MONOTONIC now, in ms: the clock the fixture stamps with (Node's hrtime is the same). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

/** The runs of one room, in the order they started; [] when it never ran. */
export function runs(dir: string, room: string): Run[] {
  const file = join(dir, `${encodeURIComponent(room)}.log`);
  if (!existsSync(file)) return [];
  const byEpoch = new Map<number, Run>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [e, node, ms, pid] = line.split(" ");
    if (pid === undefined) continue;
    const epoch = Number(e);
    const at = Number(ms);
    const run = byEpoch.get(epoch);
    if (run) run.last = Math.max(run.last, at);
    else byEpoch.set(epoch, { epoch, node, pid: Number(pid), first: at, last: at });
  }
  return [...byEpoch.values()].sort((a, b) => a.first - b.first);
}

/** Every room that has a log in dir. */
export function roomsIn(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".log")).map((f) =>
    decodeURIComponent(f.slice(0, -4))
  );
}

/**
 * Fails naming the room, the epochs and the overlap when one run began before the previous
 * one's last stamp, or when epochs did not increase in the order the runs started.
 */
export function assertNoOverlap(dir: string): void {
  for (const room of roomsIn(dir)) {
    const list = runs(dir, room);
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1], list[i]];
      if (b.first <= a.last) {
        throw new Error(
          `room ${room}: epoch ${b.epoch} on ${b.node} started at ${b.first} ms while epoch ` +
            `${a.epoch} on ${a.node} still ran (last stamp ${a.last} ms): ` +
            `${(a.last - b.first).toFixed(1)} ms of two processes at once`,
        );
      }
      if (b.epoch <= a.epoch) {
        throw new Error(`room ${room}: epoch ${b.epoch} ran after epoch ${a.epoch}, not above it`);
      }
    }
  }
}
