// Unit tests of the lease timing arithmetic: intervals, deadlines, late claims.
import { test } from "node:test";
import assert from "node:assert/strict";
import { claimTooLate, hardDeadline, softDeadline, timing } from "../../src/cluster/deadlines.ts";

test("a 15 s lease renews every 5 s, gives the child 2 s and keeps a 3 s guard", () => {
  assert.deepEqual(timing(15_000), {
    leaseMs: 15_000,
    renewMs: 5000,
    stopMs: 2000,
    guardMs: 3000,
  });
  assert.equal(softDeadline(100, timing(15_000)), 100 + 10_000);
  assert.equal(hardDeadline(100, timing(15_000)), 100 + 12_000);
});

test("a 3 s lease renews every second, soft at 1.8 s and hard at 2.4 s", () => {
  const tm = timing(3000);
  assert.equal(tm.renewMs, 1000);
  assert.ok(Math.abs(softDeadline(0, tm) - 1800) < 1e-9, `soft ${softDeadline(0, tm)}`);
  assert.ok(Math.abs(hardDeadline(0, tm) - 2400) < 1e-9, `hard ${hardDeadline(0, tm)}`);
});

test("the stop time is capped at 2 s however long the lease", () => {
  assert.equal(timing(60_000).stopMs, 2000);
  assert.equal(timing(60_000).guardMs, 12_000);
});

test("deadlines come in order: renew, soft, hard, then the lease's expiry", () => {
  for (const leaseMs of [300, 1000, 3000, 15_000, 120_000]) {
    const tm = timing(leaseMs);
    const soft = softDeadline(0, tm);
    const hard = hardDeadline(0, tm);
    assert.ok(tm.renewMs < soft, `L=${leaseMs}: a renewal is due before the soft deadline`);
    assert.ok(soft < hard && hard < leaseMs, `L=${leaseMs}: ${soft} < ${hard} < ${leaseMs}`);
  }
});

test("a claim answered after L − G − S is too late to use", () => {
  const tm = timing(15_000);
  assert.equal(claimTooLate(1000, 1000 + 10_000, tm), false, "exactly at the limit is still fine");
  assert.equal(claimTooLate(1000, 1000 + 10_001, tm), true);
  assert.equal(claimTooLate(1000, 1005, tm), false);
});

test("a lease length that is not a positive number is refused", () => {
  for (const bad of [0, -1, NaN, Infinity]) assert.throws(() => timing(bad), RangeError);
});
