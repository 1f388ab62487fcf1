// Unit tests of the client library against a scripted server: resume, reset, queue, close.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type ClientEvents, type ClientOptions, connect } from "../../src/client/index.ts";
import { fakeServer } from "./client-fakes.ts";

const WELCOME = { t: "Welcome", id: 7, resume: 30, token: "tok1", user: "ada" };
const NO_WAIT = { base: 0, max: 0, jitter: 0 };

/** A client on a fake server, with every event it emitted recorded as [name, value]. */
function start(options: ClientOptions = {}) {
  const server = fakeServer();
  const client = connect("ws://host/lobby?name=ada", {
    WebSocket: server.WebSocket,
    backoff: NO_WAIT,
    ...options,
  });
  const events: [string, unknown][] = [];
  const names = ["open", "message", "reconnecting", "resumed", "reset", "close"] as const;
  for (const name of names) client.on(name, (value) => events.push([name, value]));
  /** Resolves with the value of the next event of that name. */
  const when = <K extends keyof ClientEvents>(name: K) =>
    new Promise<ClientEvents[K]>((resolve) => {
      const off = client.on(name, (value) => (off(), resolve(value)));
    });
  return { server, client, events, when };
}

test("a connection asks for a Welcome and exposes its member id and user", async () => {
  const { server, client, events } = start();
  const ws = await server.next();
  assert.equal(ws.query().resume, "1");
  assert.equal(ws.query().name, "ada", "the page's own query is kept");
  ws.accept(WELCOME);
  assert.equal(client.id, 7);
  assert.equal(client.user, "ada");
  assert.equal(client.resumeWindow, 30);
  assert.deepEqual(events, [["open", { id: 7, user: "ada", resume: 30 }]]);
  assert.equal(ws.binaryType, "arraybuffer", "binary frames arrive as ArrayBuffer by default");
});

test("a dropped connection comes back with its token and the count of data frames received", async () => {
  const { server, client, events, when } = start();
  const first = await server.next();
  first.accept(WELCOME);
  first.message("one");
  first.message(new ArrayBuffer(3));
  first.message("three");
  first.drop();
  const second = await server.next();
  assert.deepEqual(second.query(), { name: "ada", resume: "tok1", received: "3" });
  const resumed = when("resumed");
  second.accept({ t: "Resumed", id: 7, resume: 30, token: "tok2", missed: 1 });
  assert.deepEqual(await resumed, { id: 7, missed: 1 });
  second.message("four");
  second.drop();
  const third = await server.next();
  assert.deepEqual(third.query(), { name: "ada", resume: "tok2", received: "4" });
  assert.equal(client.received, 4);
  const seen = events.filter(([name]) => name !== "reconnecting").map(([name]) => name);
  assert.deepEqual(seen, ["open", "message", "message", "message", "resumed", "message"]);
});

test("messages sent while reconnecting go out after the Resumed, in order, before new ones", async () => {
  const { server, client, when } = start();
  const first = await server.next();
  first.accept(WELCOME);
  first.drop();
  assert.equal(client.state, "reconnecting");
  assert.ok(client.send("a") && client.send("b"), "sends while reconnecting are queued");
  assert.equal(client.queued, 2);
  const second = await server.next();
  assert.deepEqual(second.sent, [], "nothing is sent before the server answered the resume");
  const resumed = when("resumed");
  second.accept({ t: "Resumed", id: 7, resume: 30, token: "tok2", missed: 0 });
  await resumed;
  client.send("c");
  assert.deepEqual(second.sent, ["a", "b", "c"]);
});

test("past maxQueue a send is refused with false and the queued ones still go", async () => {
  const { server, client } = start({ maxQueue: 2 });
  const ws = await server.next();
  assert.deepEqual([client.send("a"), client.send("b"), client.send("c")], [true, true, false]);
  ws.accept(WELCOME);
  assert.deepEqual(ws.sent, ["a", "b"]);
});

test("a refused resume (4410) joins afresh at once, telling the app before the new open", async () => {
  const { server, client, events, when } = start({ backoff: { base: 60_000, jitter: 0 } });
  const first = await server.next();
  first.accept(WELCOME);
  first.message("old");
  const retry = when("reconnecting");
  first.drop(4410, "missed output no longer held");
  assert.equal((await retry).delay, 0, "no backoff before a fresh join");
  const second = await server.next();
  assert.equal(second.query().resume, "1", "a fresh membership is asked for");
  assert.equal(second.query().received, undefined);
  second.accept({ t: "Welcome", id: 9, resume: 30, token: "new" });
  assert.deepEqual(events.slice(-2), [
    ["reset", { reason: "missed output no longer held" }],
    ["open", { id: 9, user: null, resume: 30 }],
  ]);
  assert.equal(client.id, 9);
  assert.equal(client.received, 0, "the count starts over with the membership");
});

test("without a resume window a drop is a fresh join and a reset", async () => {
  const { server, events } = start();
  const first = await server.next();
  first.accept({ t: "Welcome", id: 1, resume: 0 });
  first.message("x");
  first.drop();
  const second = await server.next();
  assert.equal(second.query().resume, "1", "no token to come back with");
  second.accept({ t: "Welcome", id: 2, resume: 0 });
  assert.deepEqual(events.at(-2)?.[0], "reset");
  assert.deepEqual(events.at(-1), ["open", { id: 2, user: null, resume: 0 }]);
});

test("a server that sends no Welcome gives a membership without an id, its first frame as data", async () => {
  const { server, client, events } = start();
  const ws = await server.next();
  ws.accept();
  ws.message("hello");
  assert.equal(client.id, null);
  assert.deepEqual(events, [["open", { id: null, user: null, resume: 0 }], ["message", "hello"]]);
});

test("with resume off the client connects like a plain WebSocket", async () => {
  const { server, events } = start({ resume: false });
  const ws = await server.next();
  assert.deepEqual(ws.query(), { name: "ada" }, "no resume parameter is sent");
  ws.accept();
  ws.message('{"t":"Welcome","id":3,"resume":0}');
  assert.deepEqual(events.at(-1), ["message", '{"t":"Welcome","id":3,"resume":0}']);
});

test("close() ends the client for good: a close event, no reconnect, sends refused", async () => {
  const { server, client, events } = start();
  const ws = await server.next();
  ws.accept(WELCOME);
  client.close(1000, "bye");
  assert.deepEqual(ws.closedWith, [1000, "bye"]);
  ws.drop(1000, "bye");
  assert.deepEqual(events.at(-1), ["close", { code: 1000, reason: "bye" }]);
  assert.equal(client.state, "closed");
  assert.equal(client.send("late"), false);
  assert.equal(events.filter(([name]) => name === "reconnecting").length, 0);
});

test("a 1000 close from the server is the end: the client does not reconnect", async () => {
  const { server, client, events } = start();
  const ws = await server.next();
  ws.accept(WELCOME);
  ws.drop(1000, "");
  assert.equal(client.state, "closed");
  assert.deepEqual(events.at(-1), ["close", { code: 1000, reason: "" }]);
});

test("connections that fail at once wait longer each time", async () => {
  const { server, client, when } = start({ backoff: { base: 5, factor: 2, max: 100, jitter: 0 } });
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    const ws = await server.next();
    const retry = when("reconnecting");
    ws.drop();
    delays.push((await retry).delay);
  }
  assert.deepEqual(delays, [5, 10, 20, 40]);
  client.close();
});

test("a connection that stayed up stableAfter starts the backoff over", async () => {
  const backoff = { base: 5, factor: 2, max: 100, jitter: 0 };
  const { server, client, when } = start({ backoff, stableAfter: 0 });
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    const ws = await server.next();
    ws.accept(i === 0 ? WELCOME : { t: "Resumed", id: 7, resume: 30, token: `t${i}`, missed: 0 });
    const retry = when("reconnecting");
    ws.drop();
    delays.push((await retry).delay);
  }
  assert.deepEqual(delays, [5, 5, 5], "every connection opened, so none grew the wait");
  client.close();
});
