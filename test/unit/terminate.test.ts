// Unit tests for the termination table, driven against a fake child that records each action.
import { test } from "node:test";
import assert from "node:assert/strict";
import { reapGroup, terminate, TERMINATION } from "../../src/room/terminate.ts";
import type { Child, ExitStatus, StopSignal } from "../../src/runtime/types.ts";

type Action = "close-stdin" | StopSignal;
const ORDER: Action[] = ["close-stdin", "SIGINT", "SIGTERM", "SIGKILL"];
// Timers may fire a little early against the clock we read.
const SLACK_MS = 5;

interface FakeOptions {
  /** The action that makes the leader exit; null: it never does. */
  leaderExitsOn: Action | null;
  /** The action that ends the rest of the group; default: the leader's. */
  groupExitsOn?: Action | null;
  /** The leader has already exited as if its stdin had closed (reapGroup's case). */
  leaderGone?: boolean;
}

/** A child that records what was done to it, and when, and dies as it was told to. */
class FakeChild implements Child {
  readonly pid = 4242;
  readonly pendingInput = 0;
  readonly actions: { action: Action; at: number }[] = [];
  readonly exited: Promise<ExitStatus>;
  private readonly t0 = performance.now();
  private leaderAlive = true;
  private othersAlive = true;
  private exit!: (s: ExitStatus) => void;

  constructor(private readonly opts: FakeOptions) {
    this.exited = new Promise((resolve) => this.exit = resolve);
    if (opts.leaderGone) {
      this.act("close-stdin");
      this.actions.length = 0;
    }
  }

  readOutput(): Promise<void> {
    return Promise.resolve();
  }
  write(): void {}
  closeStdin(): void {
    this.act("close-stdin");
  }
  signalGroup(signal: StopSignal): boolean {
    const alive = this.groupAlive();
    this.act(signal);
    return alive;
  }
  groupAlive(): boolean {
    return this.leaderAlive || this.othersAlive;
  }

  get names(): Action[] {
    return this.actions.map((a) => a.action);
  }
  /** Milliseconds between the actions, in order. */
  get gaps(): number[] {
    return this.actions.slice(1).map((a, i) => a.at - this.actions[i].at);
  }

  private act(action: Action): void {
    this.actions.push({ action, at: performance.now() - this.t0 });
    const { leaderExitsOn, groupExitsOn = leaderExitsOn } = this.opts;
    const reached = (on: Action | null) =>
      on !== null && ORDER.indexOf(action) >= ORDER.indexOf(on);
    // Signals reach the group; closing stdin only concerns the leader.
    if (this.leaderAlive && reached(leaderExitsOn)) this.leaderDies(action);
    if (this.othersAlive && (action !== "close-stdin" || groupExitsOn === "close-stdin")) {
      if (reached(groupExitsOn)) this.othersAlive = false;
    }
  }

  private leaderDies(by: Action): void {
    this.leaderAlive = false;
    const status = by === "close-stdin" ? { code: 0, signal: null } : { code: null, signal: by };
    // A real process exits a moment after the action, not synchronously.
    setTimeout(() => this.exit(status), 1);
  }
}

test("the table has websocketd's order and waits", () => {
  assert.deepEqual(TERMINATION, [
    { action: "close-stdin", waitMs: 100 },
    { action: "SIGINT", waitMs: 250 },
    { action: "SIGTERM", waitMs: 500 },
    { action: "SIGKILL", waitMs: 1000 },
  ]);
});

test("a child that exits when stdin closes gets no signal", async () => {
  const child = new FakeChild({ leaderExitsOn: "close-stdin" });
  const started = performance.now();
  // A 5 s --closems makes the first wait 5.1 s: returning well before that shows it returns
  // when the child is gone, with a margin no loaded machine eats up.
  assert.equal(await terminate(child, 5000), "close-stdin");
  assert.deepEqual(child.names, ["close-stdin"]);
  const took = performance.now() - started;
  assert.ok(took < 2500, `sat out the wait: returned after ${took} ms`);
});

test("a child that stops on SIGINT never sees SIGTERM", async () => {
  const child = new FakeChild({ leaderExitsOn: "SIGINT" });
  assert.equal(await terminate(child, 0), "SIGINT");
  assert.deepEqual(child.names, ["close-stdin", "SIGINT"]);
  assert.ok(child.gaps[0] >= 100 - SLACK_MS, `SIGINT after ${child.gaps[0]} ms`);
});

test("a child that stops on SIGTERM never gets SIGKILL", async () => {
  const child = new FakeChild({ leaderExitsOn: "SIGTERM" });
  assert.equal(await terminate(child, 0), "SIGTERM");
  assert.deepEqual(child.names, ["close-stdin", "SIGINT", "SIGTERM"]);
  const [int, term] = child.gaps;
  assert.ok(int >= 100 - SLACK_MS, `SIGINT after ${int} ms`);
  assert.ok(term >= 250 - SLACK_MS, `SIGTERM after ${term} ms`);
});

test("a child deaf to everything but SIGKILL gets each step after its wait", async () => {
  const child = new FakeChild({ leaderExitsOn: "SIGKILL" });
  assert.equal(await terminate(child, 0), "SIGKILL");
  assert.deepEqual(child.names, ORDER);
  const [int, term, kill] = child.gaps;
  assert.ok(int >= 100 - SLACK_MS, `SIGINT after ${int} ms`);
  assert.ok(term >= 250 - SLACK_MS, `SIGTERM after ${term} ms`);
  assert.ok(kill >= 500 - SLACK_MS, `SIGKILL after ${kill} ms`);
});

test("closeMs lengthens every wait", async () => {
  const closeMs = 120;
  const child = new FakeChild({ leaderExitsOn: "SIGTERM" });
  assert.equal(await terminate(child, closeMs), "SIGTERM");
  assert.deepEqual(child.names, ["close-stdin", "SIGINT", "SIGTERM"]);
  const [int, term] = child.gaps;
  assert.ok(int >= 100 + closeMs - SLACK_MS, `SIGINT after ${int} ms`);
  assert.ok(term >= 250 + closeMs - SLACK_MS, `SIGTERM after ${term} ms`);
});

test("closeMs does not delay a child that is already gone", async () => {
  const child = new FakeChild({ leaderExitsOn: "close-stdin" });
  const started = performance.now();
  assert.equal(await terminate(child, 5000), "close-stdin");
  assert.ok(performance.now() - started < 1000);
});

test("a leader that exits while its group lives on: signals go on until the group is gone", async () => {
  const child = new FakeChild({ leaderExitsOn: "close-stdin", groupExitsOn: "SIGTERM" });
  assert.equal(await terminate(child, 0), "SIGTERM");
  assert.deepEqual(child.names, ["close-stdin", "SIGINT", "SIGTERM"]);
  const [int, term] = child.gaps;
  // With the leader gone, each step still waits its full time for the stragglers.
  assert.ok(int >= 100 - SLACK_MS, `SIGINT after ${int} ms`);
  assert.ok(term >= 250 - SLACK_MS, `SIGTERM after ${term} ms`);
});

test("a group that outlives SIGTERM gets SIGKILL even though the leader is gone", async () => {
  const child = new FakeChild({ leaderExitsOn: "SIGINT", groupExitsOn: "SIGKILL" });
  assert.equal(await terminate(child, 0), "SIGKILL");
  assert.deepEqual(child.names, ORDER);
});

test("reapGroup returns null when the group is already gone", () => {
  const child = new FakeChild({ leaderExitsOn: "close-stdin", leaderGone: true });
  assert.equal(child.groupAlive(), false);
  assert.equal(reapGroup(child, 0), null);
  assert.deepEqual(child.names, []);
});

test("reapGroup ends the stragglers of a leader that already exited", async () => {
  const child = new FakeChild({
    leaderExitsOn: "close-stdin",
    groupExitsOn: "SIGINT",
    leaderGone: true,
  });
  await child.exited;
  assert.equal(child.groupAlive(), true);
  const reaping = reapGroup(child, 0);
  assert.ok(reaping !== null);
  assert.equal(await reaping, "SIGINT");
  assert.deepEqual(child.names, ["close-stdin", "SIGINT"]);
  assert.equal(child.groupAlive(), false);
});
