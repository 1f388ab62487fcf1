// Identities: room patterns, what the child and joins learn, expiry timers, and the rate bucket.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  authVariables,
  decodeIdentity,
  encodeIdentity,
  type Identity,
  joinFields,
  onExpiry,
  refuse,
  roomAllowed,
} from "../../src/auth/identity.ts";
import { TokenBucket } from "../../src/auth/ratelimit.ts";

const ADA: Identity = {
  user: "ada",
  info: { team: "red" },
  rooms: null,
  expiresAt: null,
  type: "jwt",
};

test("a rooms list admits its names and its * patterns, and nothing else", () => {
  assert.ok(roomAllowed(null, "anything"));
  assert.ok(roomAllowed(["lobby"], "lobby"));
  assert.ok(!roomAllowed(["lobby"], "lobby2"));
  assert.ok(!roomAllowed([], "lobby"));
  assert.ok(roomAllowed(["game-*"], "game-7"));
  assert.ok(roomAllowed(["game-*"], "game-"));
  assert.ok(!roomAllowed(["game-*"], "xgame-7"));
  assert.ok(roomAllowed(["*"], "any room at all"));
  assert.ok(roomAllowed(["a*b*c"], "a-b-c"));
  // Regex characters in a pattern are literal.
  assert.ok(!roomAllowed(["a.c"], "abc"));
  assert.ok(roomAllowed(["(x)+*"], "(x)+1"));
  assert.ok(roomAllowed(["line*"], "line\nbreak"));
});

test("the child's REMOTE_USER and AUTH_TYPE, and --json's _user and _info", () => {
  assert.deepEqual(authVariables(ADA), { REMOTE_USER: "ada", AUTH_TYPE: "jwt" });
  assert.deepEqual(authVariables(null), { REMOTE_USER: "", AUTH_TYPE: "" });
  assert.deepEqual(authVariables({ ...ADA, user: null, type: "auth" }), {
    REMOTE_USER: "",
    AUTH_TYPE: "auth",
  });
  assert.deepEqual(joinFields(ADA), { _user: "ada", _info: { team: "red" } });
  assert.deepEqual(joinFields({ ...ADA, info: null }), { _user: "ada" });
  assert.deepEqual(joinFields(null), {});
});

test("a refusal's body names the reason, except a 503's, which says nothing of the backend", () => {
  assert.deepEqual(refuse(403, "token expired"), {
    ok: false,
    status: 403,
    reason: "token expired",
    text: "Forbidden: token expired",
  });
  assert.equal(refuse(503, "auth endpoint answered 500").text, "Authentication unavailable");
  assert.deepEqual(refuse(401, "no token", { "WWW-Authenticate": "Bearer" }).headers, {
    "WWW-Authenticate": "Bearer",
  });
});

test("an expiry fires when due, never before onExpiry returns, and can be cancelled", async () => {
  let fired = 0;
  const cancelNone = onExpiry(ADA, () => fired++);
  cancelNone();
  const past = new Promise<void>((resolve) => {
    onExpiry({ ...ADA, expiresAt: Date.now() - 1000 }, () => {
      fired++;
      resolve();
    });
    assert.equal(fired, 0, "expired during onExpiry");
  });
  await past;
  assert.equal(fired, 1);
  // Cancelled before it is due: the due one below fires after it would have, and it does not.
  let cancelledFired = false;
  const cancel = onExpiry({ ...ADA, expiresAt: Date.now() + 1 }, () => (cancelledFired = true));
  cancel();
  await new Promise<void>((resolve) => onExpiry({ ...ADA, expiresAt: Date.now() + 20 }, resolve));
  assert.equal(cancelledFired, false, "a cancelled expiry fired");
});

test("an expiry beyond the longest timer is chained instead of firing at once", () => {
  const armed: number[] = [];
  const original = globalThis.setTimeout;
  globalThis.setTimeout = ((_: () => void, ms: number) => {
    armed.push(ms);
    return 0;
  }) as typeof setTimeout;
  try {
    onExpiry({ ...ADA, expiresAt: 2 ** 32 }, () => {}, () => 0);
  } finally {
    globalThis.setTimeout = original;
  }
  assert.deepEqual(armed, [2 ** 31 - 1]);
});

test("a token bucket allows a burst of N, then N per S seconds", () => {
  const bucket = new TokenBucket({ messages: 3, seconds: 2 }, 0);
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take(0)), [true, true, true, false]);
  assert.equal(bucket.take(600), false, "refilled too early: 1.5 per second");
  assert.equal(bucket.take(700), true, "one token after 2/3 s");
  assert.equal(bucket.take(700), false);
  // A long pause refills to the burst, not beyond it.
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take(60_000)), [true, true, true, false]);
  // A clock that steps back neither refills nor breaks the bucket.
  assert.equal(bucket.take(1000), false);
  assert.equal(bucket.take(60_000 + 667), true);
});

test("an identity survives the trip between nodes, and nothing else passes for one", () => {
  const full: Identity = { ...ADA, rooms: ["game-*"], expiresAt: 1_800_000_000_000 };
  assert.deepEqual(decodeIdentity(encodeIdentity(full)), full);
  const bare: Identity = { user: null, info: null, rooms: null, expiresAt: null, type: "auth" };
  assert.deepEqual(decodeIdentity(encodeIdentity(bare)), bare);
  for (const bad of ["", "null", "[]", '{"type":"root"}', '{"type":"jwt","expiresAt":"x"}']) {
    assert.equal(decodeIdentity(bad), null, bad);
  }
  // A user with a newline (JSON-escaped) is refused here as it is when a token names one.
  assert.equal(decodeIdentity('{"type":"jwt","expiresAt":null,"user":"a\\nb"}'), null);
});
