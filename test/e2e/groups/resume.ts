// --resume end to end: a dropped client comes back without loss, the program sees no leave,
// and what cannot be resumed is refused with 4410, in every framing mode.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client } from "../client.ts";
import { fresh } from "./framing-util.ts";
import { type Counted, refusedReturn, resumed, returnQuery, welcomed } from "./resume-util.ts";

const joined = (id: number) => `{"t":"joined","id":${id}}`;
const left = (id: number) => `{"t":"left","id":${id}}`;

/** A plain client that watches the room: its first frame is its own join. */
async function watcher(url: string): Promise<Client> {
  const w = await Client.open(url);
  assert.match(await w.text("the watcher's own join"), /^\{"t":"joined","id":\d+\}$/);
  return w;
}

export function resumeTests(l: Launcher): void {
  describe("--resume", () => {
    let json: Running;
    let short: Running;
    let small: Running;
    let text: Running;
    let binary: Running;
    let gw: Running;
    let solo: Running;
    before(async () => {
      [json, short, small, text, binary, gw, solo] = await Promise.all([
        launch(l, ["--json", "--resume", "30", ...PY, "presence"]),
        launch(l, ["--json", "--resume", "0.3", ...PY, "presence"]),
        launch(l, ["--json", "--resume", "30", "--maxbuffer", "4k", ...PY, "presence"]),
        launch(l, ["--resume", "30", ...PY, "env"]),
        launch(l, ["--binary", "--resume", "30", "--metrics", "cat"]),
        launch(l, ["--frame=gwsocket", "--resume", "30", ...PY, "gwsocket"]),
        launch(l, ["--perconnection", "--resume", "30", ...PY, "pid"]),
      ]);
    });
    const servers = () => [json, short, small, text, binary, gw, solo];
    after(() => Promise.all(servers().map((s) => s.stop())));

    it("a client cut off while 1,000 lines are printed gets every line once, in order, and the program sees no leave", async () => {
      const url = json.ws(fresh("lines"));
      const w = await watcher(url);
      const a = await welcomed(url);
      const id = a.greeting.id;
      assert.equal(await a.text("its own join"), joined(id));
      assert.equal(await w.text("a's join, on the watcher"), joined(id));
      a.c.send(JSON.stringify({ t: "count", n: 1000 }));
      const seen: number[] = [];
      const line = async (from: Counted) => seen.push(JSON.parse(await from.text("a line")).i);
      while (seen.length < 100) await line(a);
      await a.cut();
      const b = await resumed(url, a);
      assert.equal(b.greeting.id, id, "the member keeps its id");
      assert.notEqual(b.greeting.token, a.greeting.token, "a new token for the next return");
      while (seen.length < 1000) await line(b);
      assert.deepEqual(seen, [...Array(1000).keys()], "every line exactly once, in order");
      await b.c.close();
      assert.equal(await w.text("the leave after the clean close"), left(id), "no earlier leave");
    });

    it("a return after the window is told with 4410, the program has seen the leave, and a fresh join follows", async () => {
      const path = fresh("late");
      const w = await watcher(short.ws(path));
      const a = await welcomed(short.ws(path));
      const id = a.greeting.id;
      assert.equal(await a.text("its own join"), joined(id));
      assert.equal(await w.text("a's join, on the watcher"), joined(id));
      await a.cut();
      assert.equal(await w.text("the leave when the window ends"), left(id));
      const late = short.ws(`${path}?${returnQuery(a.greeting.token!, a.received)}`);
      await refusedReturn(late, "resume refused");
      const b = await welcomed(short.ws(path));
      assert.notEqual(b.greeting.id, id, "a fresh membership");
      assert.equal(await w.text("the fresh join"), joined(b.greeting.id));
      await Promise.all([b.c.close(), w.close()]);
    });

    it("a return whose missed output was dropped (--maxbuffer) is told so, then the leave, then a fresh join", async () => {
      const path = fresh("lost");
      const w = await watcher(small.ws(path));
      const a = await welcomed(small.ws(path));
      const id = a.greeting.id;
      assert.equal(await a.text("its own join"), joined(id));
      assert.equal(await w.text("a's join, on the watcher"), joined(id));
      await a.cut();
      await small.waitForLog(new RegExp(`client dropped, membership kept room=\\S+ id=${id}\\b`));
      w.send(JSON.stringify({ t: "count", n: 1000, to: id }));
      // The program answers in order: once the watcher has its echo, the lines are all out.
      w.send(JSON.stringify({ t: "ping" }));
      assert.match(await w.text("the watcher's echo"), /"echo":\{"t":"ping"/);
      const gone = small.ws(`${path}?${returnQuery(a.greeting.token!, a.received)}`);
      await refusedReturn(gone, "missed output no longer held");
      assert.equal(await w.text("the leave after the refusal"), left(id));
      const b = await welcomed(small.ws(path));
      assert.equal(await w.text("the fresh join"), joined(b.greeting.id));
      await Promise.all([b.c.close(), w.close()]);
    });

    it("a forged, a reused and another room's token are refused with 4410", async () => {
      const path = fresh("tokens");
      const forged = "A".repeat(43);
      await refusedReturn(json.ws(`${path}?${returnQuery(forged, 0)}`), "resume refused");
      const a = await welcomed(json.ws(path));
      assert.equal(await a.text("its own join"), joined(a.greeting.id));
      const elsewhere = json.ws(`${fresh("tokens")}?${returnQuery(a.greeting.token!, 1)}`);
      await refusedReturn(elsewhere, "resume refused");
      await a.cut();
      const b = await resumed(json.ws(path), a);
      const reused = json.ws(`${path}?${returnQuery(a.greeting.token!, 1)}`);
      await refusedReturn(reused, "resume refused");
      b.c.send(JSON.stringify({ t: "still" }));
      assert.equal(
        await b.text("the echo"),
        `{"_to":${b.greeting.id},"echo":{"t":"still","_from":${b.greeting.id}}}`,
      );
      await b.c.close();
    });

    it("every framing mode gets its Welcome as text and resumes", async () => {
      const modes: [Running, string, (a: Counted) => Promise<void>][] = [
        [text, "text", async (a) => assert.match(await a.text("the env line"), /^\{/)],
        [binary, "binary", async () => {}],
        [json, "json", async (a) => assert.equal(await a.text("join"), joined(a.greeting.id))],
        [gw, "gwsocket", async (a) => assert.match(await a.text("joined"), /^joined \d+ /)],
      ];
      for (const [server, name, first] of modes) {
        const path = fresh(name);
        const a = await welcomed(server.ws(path));
        await first(a);
        a.c.send(name === "json" ? '{"t":"hi"}' : "hi");
        const echoed = await a.next(`${name}: the echo`);
        assert.equal(echoed.binary, name === "binary", `${name}: the echo's frame type`);
        await a.cut();
        const b = await resumed(server.ws(path), a);
        assert.equal(b.greeting.missed, 0, `${name}: nothing was missed`);
        b.c.send(name === "json" ? '{"t":"again"}' : "again");
        assert.match(String((await b.next(`${name}: the echo after the return`)).data), /again/);
        await b.c.close();
      }
    });

    it("--perconnection: a return gets its own process back", async () => {
      const a = await welcomed(solo.ws("/"));
      const pid = await a.text("the child's pid");
      await a.cut();
      const b = await resumed(solo.ws("/"), a);
      b.c.send("again");
      assert.equal(await b.text("the echo"), `${pid} again`, "the same process answers");
      await b.c.close();
    });

    it("the program never sees the resume parameters in its query", async () => {
      const a = await welcomed(text.ws(`${fresh("query")}?a=1`));
      const env = JSON.parse(await a.text("the child's environment"));
      assert.equal(env.QUERY_STRING, "a=1");
      await a.c.close();
    });

    it("two hundred suspended members are counted and all come back", async () => {
      const metric = async (name: string) => {
        const text = await (await fetch(binary.http("/metrics"))).text();
        return Number(text.match(new RegExp(`^${name} (\\d+)`, "m"))?.[1] ?? 0);
      };
      const suspended = "scalesocket_suspended_members";
      const resumes = 'scalesocket_resumes_total\\{result="resumed"\\}';
      const earlier = await metric(resumes);
      const path = fresh("many");
      const clients = await Promise.all(
        Array.from({ length: 200 }, () => welcomed(binary.ws(path))),
      );
      await Promise.all(clients.map((c) => c.cut()));
      await waitFor(async () => await metric(suspended) === 200, "200 suspended members");
      const back = await Promise.all(clients.map((c) => resumed(binary.ws(path), c)));
      assert.equal(await metric(suspended), 0, "none is suspended once all are back");
      assert.equal(await metric(resumes), earlier + 200, "each return is counted");
      await Promise.all(back.map((b) => b.c.close()));
    });
  });
}
