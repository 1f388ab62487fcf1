// Unit tests of the watchdog's protocol and bookkeeping on a fake clock and fake kill().
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  deadlineLine,
  doneLine,
  runWatchdog,
  Watchdog,
  type WatchdogEvent,
  type WatchdogIo,
} from "../../src/cluster/watchdog.ts";
import { FakeClock } from "./cluster-clock.ts";

function fakeIo(clock: FakeClock, dead = new Set<number>()) {
  const kills: string[] = [];
  const events: WatchdogEvent[] = [];
  const io: WatchdogIo = {
    setTimer: (fn, ms) => clock.setTimer(fn, ms),
    clearTimer: (h) => clock.clearTimer(h),
    kill(pgid, signal) {
      kills.push(`${signal} ${pgid}@${clock.now()}`);
      return !dead.has(pgid);
    },
    report: (event) => void events.push(event),
  };
  return { io, kills, events };
}

test("a group gets SIGTERM at its soft deadline and SIGKILL at its hard one", async () => {
  const clock = new FakeClock();
  const { io, kills } = fakeIo(clock);
  const dog = new Watchdog(io);
  dog.line("1234 100 300");
  await clock.advanceTo(1000);
  assert.deepEqual(kills, ["SIGTERM 1234@100", "SIGKILL 1234@300"]);
  assert.deepEqual(dog.groups, [], "a killed group is forgotten: its id may be reused");
});

test("a new line for a group moves its deadlines, and done cancels them", async () => {
  const clock = new FakeClock();
  const { io, kills } = fakeIo(clock);
  const dog = new Watchdog(io);
  dog.line("10 100 200");
  dog.line("11 100 200");
  await clock.advanceTo(50);
  dog.line("10 500 600");
  dog.line(doneLine(11));
  await clock.advanceTo(1000);
  assert.deepEqual(kills, ["SIGTERM 10@550", "SIGKILL 10@650"]);
});

test("a group already gone after SIGTERM is forgotten without a SIGKILL", async () => {
  const clock = new FakeClock();
  const { io, kills } = fakeIo(clock, new Set([77]));
  const dog = new Watchdog(io);
  dog.line("77 100 200");
  await clock.advanceTo(1000);
  assert.deepEqual(kills, ["SIGTERM 77@100"]);
});

test("when the server goes, every armed group is killed at once and nothing after", async () => {
  const clock = new FakeClock();
  const { io, kills } = fakeIo(clock);
  async function* lines() {
    yield "20 5000 6000";
    yield "21 5000 6000";
    yield "22 5000 6000";
    yield "22 done";
  }
  await runWatchdog(lines(), io);
  assert.deepEqual(kills, ["SIGKILL 20@0", "SIGKILL 21@0"]);
  await clock.advanceTo(10_000);
  assert.equal(kills.length, 2, `no deadline may fire after the server went: ${kills}`);
});

test("lines that could signal the wrong processes are ignored and reported", () => {
  const clock = new FakeClock();
  const { io, kills, events } = fakeIo(clock);
  const dog = new Watchdog(io);
  const bad = ["0 1 2", "1 1 2", "-5 1 2", "x 1 2", "30 2 1", "30 -1 5", "30 1", "30 1 2 3"];
  for (const line of bad) dog.line(line);
  dog.line("30 1 99999999999");
  assert.deepEqual(dog.groups, []);
  assert.deepEqual(kills, []);
  assert.equal(events.length, bad.length + 1, "each bad line is reported once");
  assert.ok(events.every((e) => e.kind === "ignored"));
});

test("deadline lines carry whole, non-negative milliseconds", () => {
  assert.equal(deadlineLine(42, 1799.6, 2399.2), "42 1799 2399\n");
  assert.equal(deadlineLine(42, -30, 10), "42 0 10\n", "a deadline already past fires at once");
});
