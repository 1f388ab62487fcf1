// Unit tests of a connection's limits: --ratelimit's budget and the token's expiry close.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Identity } from "../../src/auth/identity.ts";
import { limitsFor } from "../../src/room/limits.ts";
import { NO_STATS } from "../../src/room/stats.ts";
import { FakeMember, makeConfig, makeLog, waitFor } from "./fakes.ts";

const AUTH = { jwt: null, endpoint: null, cookie: null, expireClose: true, publicApi: false };
const who = (expiresAt: number | null): Identity => ({
  user: "ada",
  info: null,
  rooms: null,
  expiresAt,
  type: "jwt",
});

test("a client over --ratelimit is closed with 1008 once, and nothing more passes", () => {
  let counted = 0;
  const member = new FakeMember(1);
  const limits = limitsFor(
    makeConfig({ rateLimit: { messages: 3, seconds: 60 } }),
    null,
    member,
    { log: makeLog().log, stats: { ...NO_STATS, rateLimited: () => counted++ } },
  );
  const allowed = Array.from({ length: 6 }, () => limits.allow());
  assert.deepEqual(allowed, [true, true, true, false, false, false]);
  assert.deepEqual(member.closes, [[1008, "rate limit exceeded"]], "closed once");
  assert.equal(counted, 1, "counted once");
});

test("a token closes its connection with 1008 when it expires", async () => {
  const member = new FakeMember(1);
  const config = makeConfig({ auth: AUTH });
  limitsFor(config, who(Date.now() + 30), member, { log: makeLog().log, stats: NO_STATS });
  await waitFor(() => member.closes.length > 0, "the expiry close");
  assert.deepEqual(member.closes, [[1008, "token expired"]]);
});

test("a closed connection's expiry is cancelled, and --jwt-no-expire-close arms none", async () => {
  const closedEarly = new FakeMember(1);
  const kept = new FakeMember(2);
  const watch = new FakeMember(3);
  const deps = { log: makeLog().log, stats: NO_STATS };
  const at = Date.now() + 30;
  limitsFor(makeConfig({ auth: AUTH }), who(at), closedEarly, deps).stop();
  limitsFor(makeConfig({ auth: { ...AUTH, expireClose: false } }), who(at), kept, deps);
  // The same deadline for a third connection: once it is closed, the others' timers are due too.
  limitsFor(makeConfig({ auth: AUTH }), who(at), watch, deps);
  await waitFor(() => watch.closes.length > 0, "the third connection's expiry");
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(closedEarly.closes, [], "cancelled on close");
  assert.deepEqual(kept.closes, [], "kept open with --jwt-no-expire-close");
});
