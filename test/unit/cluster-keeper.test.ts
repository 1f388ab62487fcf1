// Unit tests of the lease keeper on a fake clock: renewals, lost leases, missed deadlines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { timing } from "../../src/cluster/deadlines.ts";
import { claimRoom, LeaseKeeper } from "../../src/cluster/keeper.ts";
import type { Lease, LeaseStore } from "../../src/cluster/lease.ts";
import { FakeClock, settle } from "./cluster-clock.ts";

const LEASE: Lease = { epoch: 7, node: "a", advertise: "a:9000", value: "7|a|a:9000" };
const TM = timing(3000); // renew 1000, soft 1800, hard 2400 after the anchor

type Answer = "ok" | "lost" | "fail" | Promise<boolean>;

/** A store whose renewals answer as `answer` says at the moment they are sent. */
function fakeStore(clock: FakeClock, answer: (at: number) => Answer) {
  const renewals: number[] = [];
  const releases: Lease[] = [];
  const store: LeaseStore = {
    claim: () => Promise.reject(new Error("not used")),
    owner: () => Promise.reject(new Error("not used")),
    renew(_room, _lease) {
      renewals.push(clock.now());
      const a = answer(clock.now());
      if (a === "ok") return Promise.resolve(true);
      if (a === "lost") return Promise.resolve(false);
      if (a === "fail") return Promise.reject(new Error("Command timed out"));
      return a;
    },
    release(_room, lease) {
      releases.push(lease);
      return Promise.resolve(true);
    },
  };
  return { store, renewals, releases };
}

function keep(answer: (at: number) => Answer) {
  const clock = new FakeClock();
  const { store, renewals, releases } = fakeStore(clock, answer);
  const events: string[] = [];
  const keeper = new LeaseKeeper(store, "lobby", LEASE, 0, TM, {
    deadlines: (soft, hard) => events.push(`deadlines ${Math.round(soft)} ${Math.round(hard)}`),
    lost: () => events.push(`lost@${clock.now()}`),
    soft: () => events.push(`soft@${Math.round(clock.now())}`),
    hard: () => events.push(`hard@${Math.round(clock.now())}`),
  }, clock);
  return { clock, keeper, events, renewals, releases };
}

test("a lease renewed on time never reaches a deadline", async () => {
  const { clock, keeper, events, renewals } = keep(() => "ok");
  await clock.advanceTo(10_000);
  assert.deepEqual(renewals, [1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
  assert.ok(!events.some((e) => /soft|hard|lost/.test(e)), `no deadline expected: ${events}`);
  assert.equal(events.at(-1), "deadlines 11800 12400", "deadlines follow the last renewal sent");
  assert.equal(keeper.state, "renewing");
});

test("a renewal that finds the lease gone reports lost once, then only the hard deadline", async () => {
  const { clock, keeper, events, renewals } = keep(() => "lost");
  await clock.advanceTo(10_000);
  assert.deepEqual(renewals, [1000], "no renewal after the lease is known lost");
  assert.deepEqual(events, ["deadlines 1800 2400", "lost@1000", "hard@2400"]);
  assert.equal(keeper.state, "lost");
});

test("renewals that go unanswered leave the deadlines where they were", async () => {
  const { clock, keeper, events, renewals } = keep(() => "fail");
  await clock.advanceTo(10_000);
  assert.deepEqual(renewals.map(Math.round), [1000, 1333, 1667], "retries come faster, until soft");
  assert.deepEqual(events, ["deadlines 1800 2400", "soft@1800", "hard@2400"]);
  assert.equal(keeper.state, "expired");
});

test("one failed renewal followed by a good one moves the deadlines from the good one", async () => {
  const { clock, events } = keep((at) => at === 1000 ? "fail" : "ok");
  await clock.advanceTo(1500);
  assert.deepEqual(events, ["deadlines 1800 2400", "deadlines 3133 3733"]);
});

test("a renewal answered after the soft deadline is too late to save the room", async () => {
  let answer!: (ok: boolean) => void;
  const slow = new Promise<boolean>((resolve) => answer = resolve);
  const { clock, keeper, events } = keep((at) => at === 1000 ? slow : "ok");
  await clock.advanceTo(2000);
  answer(true);
  await clock.advanceTo(5000);
  assert.deepEqual(events, ["deadlines 1800 2400", "soft@1800", "hard@2400"]);
  assert.equal(keeper.state, "expired");
});

test("stop silences the keeper and release lets the lease go", async () => {
  const { clock, keeper, events, renewals, releases } = keep(() => "ok");
  await clock.advanceTo(1500);
  assert.equal(await keeper.release(), true);
  await clock.advanceTo(10_000);
  assert.deepEqual(renewals, [1000]);
  assert.deepEqual(releases, [LEASE]);
  assert.equal(events.length, 2, `nothing after release: ${events}`);
  assert.equal(keeper.state, "stopped");
});

test("a release Redis does not answer reports false instead of throwing", async () => {
  const clock = new FakeClock();
  const { store } = fakeStore(clock, () => "ok");
  store.release = () => Promise.reject(new Error("Connection is closed"));
  const keeper = new LeaseKeeper(store, "r", LEASE, 0, TM, {
    deadlines() {},
    lost() {},
    soft() {},
    hard() {},
  }, clock);
  assert.equal(await keeper.release(), false);
  await settle();
});

test("a handler that throws does not stop the renewals", async () => {
  const clock = new FakeClock();
  const { store, renewals } = fakeStore(clock, () => "ok");
  new LeaseKeeper(store, "r", LEASE, 0, TM, {
    deadlines() {
      throw new Error("boom");
    },
    lost() {},
    soft() {},
    hard() {},
  }, clock);
  await clock.advanceTo(3500);
  assert.deepEqual(renewals, [1000, 2000, 3000]);
});

test("a claim answered in time is won, with the time it was sent", async () => {
  const clock = new FakeClock();
  await clock.advanceTo(500);
  const { store } = fakeStore(clock, () => "ok");
  store.claim = () => Promise.resolve({ kind: "won", lease: LEASE });
  assert.deepEqual(await claimRoom(store, "r", TM, clock), {
    kind: "won",
    lease: LEASE,
    sentAt: 500,
  });
});

test("a claim answered after L − G − S is released, not used", async () => {
  const clock = new FakeClock();
  const { store, releases } = fakeStore(clock, () => "ok");
  store.claim = async () => {
    await clock.advanceTo(1801);
    return { kind: "won", lease: LEASE };
  };
  assert.deepEqual(await claimRoom(store, "r", TM, clock), { kind: "late", sentAt: 0 });
  assert.deepEqual(releases, [LEASE]);
});

test("a claim that lost the race names the holder", async () => {
  const clock = new FakeClock();
  const { store } = fakeStore(clock, () => "ok");
  store.claim = () => Promise.resolve({ kind: "held", lease: LEASE });
  const result = await claimRoom(store, "r", TM, clock);
  assert.equal(result.kind, "held");
  assert.deepEqual((result as { lease: Lease }).lease, LEASE);
});
