// S7 --metrics end to end, on observe.ts's shared server: the series move as clients do.
import { it } from "node:test";
import assert from "node:assert/strict";
import { waitFor } from "../harness.ts";
import { count, type Sample, valueOf } from "../openmetrics.ts";
import type { Observed } from "./observe.ts";

const M = "scalesocket_";

/** How much each counter moved between two scrapes. */
const between =
  (before: Sample[], after: Sample[]) => (name: string, labels?: Record<string, string>) =>
    count(after, `${M}${name}`, labels) - count(before, `${M}${name}`, labels);

export function metricsTests(o: Observed): void {
  it("/metrics is OpenMetrics text that a real parser accepts, even with odd room names", async () => {
    const odd = 'say "hi" \\ café';
    await o.join(odd);
    const res = await fetch(o.server().http("/metrics"));
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("content-type"),
      "application/openmetrics-text; version=1.0.0; charset=utf-8",
    );
    assert.match(text, /# EOF\n?$/, "the exposition does not end with # EOF");
    const m = await o.parse(text);
    assert.equal(valueOf(m, `${M}websocket_connections_open`, { room: odd }), 1, text);
    assert.equal(valueOf(m, `${M}rooms_open`), 1, text);
  });

  it("connection series count clients as they come and go", async () => {
    const room = { room: "counted" };
    const series = (m: Sample[]) => [
      count(m, `${M}websocket_connections_total`, room),
      valueOf(m, `${M}websocket_connections_open`, room),
      valueOf(m, `${M}rooms_open`),
    ];
    const openNow = async () => series(await o.scrape())[1] ?? 0;
    const a = await o.join("counted");
    assert.deepEqual(series(await o.scrape()), [1, 1, 1], "total, open, rooms after a joined");
    const b = await o.join("counted");
    assert.deepEqual(series(await o.scrape()), [2, 2, 1], "total, open, rooms after b joined");
    await a.c.close();
    await waitFor(async () => await openNow() === 1, "1 open connection once a left");
    await b.c.close();
    await waitFor(async () => await openNow() === 0, "no open connection once b left");
    await waitFor(async () => series(await o.scrape())[2] === 0, "rooms_open 0 once room ended");
    await o.join("counted");
    assert.deepEqual(series(await o.scrape()), [3, 1, 1], "total, open, rooms in a new room");
  });

  it("process series count spawns, spawn latency, and exits by outcome", async () => {
    const before = await o.scrape();
    const endings = [
      ['{"exit":0}', { code: 1000, reason: "" }],
      ['{"exit":3}', { code: 1011, reason: "process exited with code 3" }],
      ['{"signal":"SIGTERM"}', { code: 1011, reason: "killed by SIGTERM" }],
    ] as const;
    for (const [msg, closed] of endings) {
      const p = await o.join("fates");
      p.c.send(msg);
      assert.deepEqual(await p.c.closedWithin(), closed);
    }
    // The exit is counted before the clients are closed: no need to wait.
    const delta = between(before, await o.scrape());
    assert.equal(delta("processes_spawned_total"), 3);
    assert.equal(delta("spawn_seconds_count"), 3);
    for (const outcome of ["ok", "error", "signal"]) {
      assert.equal(delta("processes_exited_total", { outcome }), 1, `outcome ${outcome}`);
    }
  });

  it("counts messages and bytes in once, and out once per recipient", async () => {
    const a = await o.join("traffic");
    const b = await o.join("traffic");
    const before = await o.scrape();
    a.c.send('{"t":"hi"}');
    const echo = await a.c.text("the echo");
    assert.equal(await b.c.text("the echo"), echo);
    assert.equal(echo, `{"t":"hi","_from":${a.id}}`);
    const delta = between(before, await o.scrape());
    const bytes = Buffer.byteLength(echo);
    assert.equal(delta("messages_in_total"), 1);
    assert.equal(delta("bytes_in_total"), bytes + 1, "the child got the line and a newline");
    assert.equal(delta("messages_out_total"), 2);
    assert.equal(delta("bytes_out_total"), 2 * bytes);
  });

  it("counts client messages that are not JSON objects as dropped", async () => {
    const a = await o.join("dropped");
    const before = await o.scrape();
    for (const msg of ["not json", "[1,2]", '"text"', '{"t":"kept"}']) a.c.send(msg);
    assert.equal(await a.c.text("the one object's echo"), `{"t":"kept","_from":${a.id}}`);
    const delta = between(before, await o.scrape());
    assert.equal(delta("messages_dropped_total", { reason: "not_a_json_object" }), 3);
    assert.equal(delta("messages_in_total"), 1);
  });

  it("a lobby and a scrape show the same live rooms", async () => {
    await Promise.all([o.join("north"), o.join("north"), o.join("south")]);
    const [list, m] = await Promise.all([o.rooms(), o.scrape()]);
    const fromApi = Object.fromEntries(list.map((r) => [r.name, r.connections]));
    const fromMetrics = Object.fromEntries(
      m.filter((x) => x.name === `${M}websocket_connections_open` && x.value > 0)
        .map((x) => [x.labels.room, x.value]),
    );
    assert.deepEqual(fromApi, { north: 2, south: 1 });
    assert.deepEqual(fromMetrics, fromApi);
    assert.equal(valueOf(m, `${M}rooms_open`), list.length);
  });
}
