// Unit tests for the outbox: what a slow client's socket is handed is capped, the rest waits
// where a 1008 close can drop it, and any other close still delivers everything first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { WebSocket } from "ws";
import { CAP, Outbox } from "../../src/http/outbox.ts";

/** ws as the outbox sees it: what it was handed (and not yet "sent"), in order, then a close. */
function fakeSocket() {
  const handed: (string | [number, string])[] = [];
  const listeners: Record<string, () => void> = {};
  let inSocket = 0;
  /** How deep the socket is corked now; sendsCorked: what was handed over while it was. */
  let corked = 0;
  const sendsCorked: string[] = [];
  const ws = {
    get bufferedAmount() {
      return inSocket;
    },
    send(data: Buffer) {
      handed.push(data.toString());
      if (corked > 0) sendsCorked.push(data.toString());
      inSocket += data.byteLength;
    },
    close: (code: number, reason: string) => handed.push([code, reason]),
    once: (event: string, fn: () => void) => listeners[event] = fn,
  };
  const raw = {
    on: (event: string, fn: () => void) => listeners[event] = fn,
    cork: () => void corked++,
    uncork: () => void corked--,
  };
  const box = new Outbox(ws as unknown as WebSocket, raw);
  /** The system took everything the socket held; the socket says so with a drain. */
  const drain = () => {
    inSocket = 0;
    listeners.drain();
  };
  return {
    box,
    handed,
    sendsCorked,
    drain,
    closeEvent: () => listeners.close(),
    corked: () => corked,
  };
}

/** A message of CAP bytes, tagged so the test can tell which one arrived. */
const big = (tag: string) => Buffer.from(tag.padEnd(CAP, "."));

test("messages go straight to the socket while it holds less than the cap", () => {
  const { box, handed } = fakeSocket();
  box.send(Buffer.from("a"), false);
  box.send(Buffer.from("b"), false);
  assert.deepEqual(handed, ["a", "b"]);
  assert.equal(box.backlog, 2);
});

test("past the cap messages wait, and a drain sends them in order", () => {
  const { box, handed, drain } = fakeSocket();
  box.send(big("1"), false);
  box.send(Buffer.from("2"), false);
  box.send(Buffer.from("3"), false);
  assert.equal(handed.length, 1, "only the first went to the socket");
  assert.equal(box.backlog, CAP + 2, "the backlog counts what waits too");
  drain();
  assert.deepEqual(handed.slice(1), ["2", "3"], "the rest followed, in order");
  box.send(Buffer.from("4"), false);
  assert.equal(handed.at(-1), "4", "an empty queue sends directly again");
});

test("a drain hands the backlog over corked, so it leaves in one write, not one per message", () => {
  const { box, sendsCorked, drain, corked } = fakeSocket();
  box.send(big("1"), false);
  for (const tag of ["2", "3", "4"]) box.send(Buffer.from(tag), false);
  drain();
  assert.deepEqual(sendsCorked, ["2", "3", "4"], "every message of the backlog went while corked");
  assert.equal(corked(), 0, "the socket was uncorked afterwards");
});

test("a drain sends only up to the cap again", () => {
  const { box, handed, drain } = fakeSocket();
  for (const tag of ["1", "2", "3"]) box.send(big(tag), false);
  drain();
  assert.equal(handed.length, 2, "one more message, which fills the socket to the cap");
  drain();
  assert.equal(handed.length, 3);
  assert.equal(box.backlog, CAP);
});

test("1008 drops what waits: the close frame goes right behind what the socket holds", () => {
  const { box, handed, drain } = fakeSocket();
  box.send(big("1"), false);
  box.send(Buffer.from("2"), false);
  box.close(1008, "client too slow");
  assert.equal(handed.length, 2);
  assert.deepEqual(handed[1], [1008, "client too slow"]);
  assert.equal(box.backlog, CAP, "what waited is gone; only the socket's part is left");
  drain();
  assert.equal(handed.length, 2, "nothing is sent after the close");
});

test("any other close hands everything over first, so nothing is lost", () => {
  const { box, handed } = fakeSocket();
  box.send(big("1"), false);
  box.send(Buffer.from("2"), false);
  box.close(1000, "");
  assert.deepEqual(handed.slice(1), ["2", [1000, ""]]);
});

test("a closed socket lets go of what waited", () => {
  const { box, closeEvent } = fakeSocket();
  box.send(big("1"), false);
  box.send(big("2"), false);
  closeEvent();
  assert.equal(box.backlog, CAP);
});
