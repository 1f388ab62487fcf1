// Unit tests for --resume: the query it takes out, the ring of held frames, and the sessions
// that outlive a dropped connection (and stay bounded when a thousand of them do).
import { test } from "node:test";
import assert from "node:assert/strict";
import { prepare } from "../../src/codec/outgoing.ts";
import type { Outgoing } from "../../src/codec/outgoing.ts";
import type { Socket } from "../../src/room/door.ts";
import { newToken, REFUSED, takeResumeAsk } from "../../src/room/resume.ts";
import { FRAME_OVERHEAD, Ring } from "../../src/room/ring.ts";
import { Sessions } from "../../src/room/suspend.ts";
import type { Session } from "../../src/room/session.ts";
import { NO_STATS } from "../../src/room/stats.ts";
import { makeLog, roomEnv, setupRoom, waitFor } from "./fakes.ts";

const decoder = new TextDecoder();

/** A socket that records the text of what it is sent and how it was closed. */
class FakeSocket implements Socket {
  readonly texts: string[] = [];
  closedWith: [number, string] | null = null;
  terminated = false;
  bufferedAmount = 0;
  get closed(): boolean {
    return this.closedWith !== null || this.terminated;
  }
  send(msg: Outgoing): void {
    this.texts.push(decoder.decode(msg.data));
  }
  close(code: number, reason: string): void {
    this.closedWith = [code, reason];
  }
  terminate(): void {
    this.terminated = true;
  }
  hold(): void {}
  release(): void {}
}

test("resume and received are taken out of the query, the rest kept as the client wrote it", () => {
  const u = "ws://h/r?a=1%20b&resume=abc&x&received=12&b=+#frag";
  assert.deepEqual(takeResumeAsk(u), {
    url: "ws://h/r?a=1%20b&x&b=+#frag",
    ask: { kind: "return", token: "abc", received: 12 },
  });
  assert.deepEqual(takeResumeAsk("ws://h/r?resume=1"), {
    url: "ws://h/r",
    ask: { kind: "welcome" },
  });
  assert.deepEqual(takeResumeAsk("ws://h/r?q=1"), { url: "ws://h/r?q=1", ask: null });
  assert.deepEqual(
    takeResumeAsk("ws://h/r?resume=t&received=-3").ask,
    { kind: "return", token: "t", received: null },
    "a count that is not a whole number is kept as null, so the return is refused",
  );
});

test("tokens are 43 base64url characters and never repeat", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const t = newToken();
    assert.match(t, /^[A-Za-z0-9_-]{43}$/);
    seen.add(t);
  }
  assert.equal(seen.size, 1000);
});

test("the ring holds the newest frames within its bytes and says which are gone", () => {
  const size = 10 + FRAME_OVERHEAD;
  const ring = new Ring(size * 3);
  for (let i = 0; i < 5; i++) ring.push(prepare(`frame ${i}   `));
  assert.equal(ring.sent, 5);
  assert.ok(ring.held <= size * 3, `held ${ring.held} bytes, more than the limit`);
  assert.equal(ring.since(1), "gone", "frames 0 and 1 were dropped to make room");
  assert.equal(ring.since(6), "ahead", "frame 6 was never sent");
  const kept = ring.since(2);
  assert.ok(Array.isArray(kept));
  assert.deepEqual(kept.map((m) => decoder.decode(m.data).trim()), [
    "frame 2",
    "frame 3",
    "frame 4",
  ]);
  assert.deepEqual(ring.since(5), []);
});

function setup(seconds: number, maxBuffer = 1 << 20) {
  const r = setupRoom();
  const { log, lines } = makeLog();
  const counted: string[] = [];
  const stats = { ...NO_STATS, resumed: (x: string) => counted.push(x) };
  const sessions = new Sessions({ seconds, maxBuffer, closeMs: 0, log, stats });
  let id = 0;
  const join = () => {
    const socket = new FakeSocket();
    const who = { id: ++id, remote: "127.0.0.1", query: "" };
    const session = sessions.welcome(who, socket, r.room)!;
    r.room.join(session, roomEnv());
    return { socket, session };
  };
  return { ...r, sessions, join, lines, counted };
}

test("a dropped member is kept without a leave, and its return gets what it missed", async () => {
  const { room, runtime, sessions, join, counted } = setup(30);
  const { socket, session } = join();
  const welcome = JSON.parse(socket.texts[0]);
  assert.deepEqual(Object.keys(welcome), ["t", "id", "resume", "token"]);
  const child = await runtime.child();
  child.print("one\n");
  assert.equal(sessions.closed(session, socket, 1006), false, "a 1006 close suspends");
  child.print("two\nthree\n");
  assert.equal(room.members.get(session.id), session, "the member is still in the room");
  const back = new FakeSocket();
  const s = sessions.resume(
    { kind: "return", token: welcome.token, received: 1 },
    back,
    room,
  );
  assert.equal(s, session);
  const resumed = JSON.parse(back.texts[0]);
  assert.equal(resumed.t, "Resumed");
  assert.equal(resumed.missed, 2);
  assert.notEqual(resumed.token, welcome.token, "every Resumed carries a new token");
  assert.deepEqual(back.texts.slice(1), ["two", "three"]);
  child.print("four\n");
  assert.deepEqual(back.texts.slice(3), ["four"], "live output follows");
  const again = new FakeSocket();
  sessions.resume({ kind: "return", token: welcome.token, received: 4 }, again, room);
  assert.deepEqual(again.closedWith, [REFUSED, "resume refused"], "a used token is refused");
  assert.deepEqual(counted, ["resumed", "refused"]);
  assert.ok(!child.writes.some((w) => w.includes("Leave")), "the program saw no leave");
});

test("a return before the server noticed the drop takes over, and the old socket's close is no leave", async () => {
  const { room, runtime, sessions, join } = setup(30);
  const { socket, session } = join();
  const { token } = JSON.parse(socket.texts[0]);
  const child = await runtime.child();
  child.print("one\n");
  const back = new FakeSocket();
  assert.equal(sessions.resume({ kind: "return", token, received: 0 }, back, room), session);
  assert.equal(socket.terminated, true, "the old connection is cut");
  assert.deepEqual(back.texts.slice(1), ["one"], "the frame the old connection lost comes again");
  assert.equal(
    sessions.closed(session, socket, 1006),
    false,
    "the old socket's close ends nothing",
  );
  assert.equal(sessions.suspended, 0, "nor suspends the member, which is live again");
  assert.equal(room.members.get(session.id), session);
});

test("a return whose missed frames were dropped is told so, and the member leaves", async () => {
  const { room, runtime, sessions, join } = setup(30, 3 * (4 + FRAME_OVERHEAD));
  const { socket, session } = join();
  const { token } = JSON.parse(socket.texts[0]);
  const child = await runtime.child();
  sessions.closed(session, socket, 1006);
  child.print("0001\n0002\n0003\n0004\n0005\n");
  const back = new FakeSocket();
  assert.equal(sessions.resume({ kind: "return", token, received: 0 }, back, room), null);
  assert.deepEqual(back.closedWith, [REFUSED, "missed output no longer held"]);
  assert.equal(room.members.has(session.id), false, "the member has left the room");
  assert.equal(sessions.suspended, 0);
});

test("the Welcome names the verified user, and the token serves no other user", async () => {
  const { room, runtime, sessions } = setup(30);
  const socket = new FakeSocket();
  const who = { id: 9, remote: "127.0.0.1", query: "", user: "alice" };
  const session = sessions.welcome(who, socket, room)!;
  room.join(session, roomEnv());
  await runtime.child();
  const welcome = JSON.parse(socket.texts[0]);
  assert.equal(welcome.user, "alice");
  const mallory = new FakeSocket();
  const ask = { kind: "return", token: welcome.token, received: 0 } as const;
  assert.equal(sessions.resume(ask, mallory, room, "mallory"), null);
  assert.deepEqual(mallory.closedWith, [REFUSED, "resume refused"]);
  assert.equal(sessions.resume(ask, new FakeSocket(), room, "alice"), session);
});

test("a token of another room, or a clean close, ends nothing it should not", async () => {
  const { room, runtime, sessions, join } = setup(30);
  const other = setupRoom().room;
  const { socket, session } = join();
  const { token } = JSON.parse(socket.texts[0]);
  await runtime.child();
  const elsewhere = new FakeSocket();
  assert.equal(sessions.resume({ kind: "return", token, received: 0 }, elsewhere, other), null);
  assert.deepEqual(elsewhere.closedWith, [REFUSED, "resume refused"]);
  assert.equal(sessions.closed(session, socket, 1000), true, "a clean close ends the member");
  assert.equal(room.members.size, 0);
  assert.equal(sessions.size, 0, "its token is forgotten");
});

test("a thousand suspended members hold no more than --maxbuffer each, and all end after the window", async () => {
  const maxBuffer = 64 * 1024;
  const { room, runtime, sessions, join } = setup(0.05, maxBuffer);
  const joined: { socket: FakeSocket; session: Session }[] = [];
  for (let i = 0; i < 1000; i++) joined.push(join());
  const child = await runtime.child();
  // The window starts at the drop: output is printed first, while every member is suspended.
  for (const { socket, session } of joined) sessions.closed(session, socket, 1006);
  assert.equal(sessions.suspended, 1000);
  const line = "x".repeat(100) + "\n";
  for (let i = 0; i < 50; i++) child.print(line.repeat(100));
  for (const { session } of joined) {
    assert.ok(session.ring.held <= maxBuffer, `member ${session.id} holds ${session.ring.held}`);
    assert.equal(session.ring.sent, 5000, "every frame was counted");
  }
  await waitFor(() => room.members.size === 0, "the window to end every membership", 5000);
  assert.equal(sessions.suspended, 0);
  assert.equal(sessions.size, 0, "no token outlives its window");
  for (const { session } of joined) assert.equal(session.ring.held, 0, "no frame is held");
  assert.equal(child.writes.length, 0, "no join or leave in plain text mode, nothing else");
});
