// S7 end to end: what operators see — the rooms API, the lobby page, metrics, logs, /ready.
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client } from "../client.ts";
import { type OpenMetricsParser, openMetricsParser, type Sample, valueOf } from "../openmetrics.ts";
import { metricsTests } from "./observe-metrics.ts";
import { flagTests } from "./observe-flags.ts";

export interface RoomInfo {
  name: string;
  connections: number;
  metadata: Record<string, unknown> | null;
}

/** A client in a `lobby` fixture room, with the id and child pid its welcome told it. */
export interface Player {
  c: Client;
  id: number;
  pid: number;
}

/** The shared server (--api --metrics --json, the lobby fixture) as its tests use it. */
export interface Observed {
  server(): Running;
  /** Joins room and waits for the child's welcome: then the client is in the room. */
  join(room: string): Promise<Player>;
  rooms(): Promise<RoomInfo[]>;
  /** GET /metrics, read by the real OpenMetrics parser. */
  scrape(): Promise<Sample[]>;
  parse(text: string): Promise<Sample[]>;
}

/** GET path: the status and the body as JSON (or text when it is not JSON). */
async function get(s: Running, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(s.http(path));
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

async function fetchText(s: Running, path: string): Promise<string> {
  const res = await fetch(s.http(path));
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}: ${text}`);
  return text;
}

/** Each JSON log line of the server so far, failing on a line that is not JSON. */
function logs(s: Running): Record<string, unknown>[] {
  return s.stderr().split("\n").filter((line) => line !== "").map((line) => {
    try {
      return JSON.parse(line);
    } catch {
      return assert.fail(`not a JSON log line: ${line}`);
    }
  });
}

export function observeTests(l: Launcher): void {
  describe("observing the server", () => {
    let parser: OpenMetricsParser;
    before(() => parser = openMetricsParser());
    after(() => parser.close());
    const scrape = async (s: Running) => parser.parse(await fetchText(s, "/metrics"));

    describe("with --api --metrics --json --log=json", () => {
      let s: Running;
      const open = new Set<Client>();
      before(async () => {
        s = await launch(l, ["--api", "--metrics", "--json", "--log=json", ...PY, "lobby"]);
      });
      after(() => s.stop());
      const rooms = async () => JSON.parse(await fetchText(s, "/api/rooms")) as RoomInfo[];
      // Every test starts with no room live, so counters move only by what it does.
      afterEach(async () => {
        await Promise.all([...open].map((c) => c.close()));
        open.clear();
        await waitFor(async () => (await rooms()).length === 0, "every room to leave the list");
        await waitFor(
          async () => valueOf(await scrape(s), "scalesocket_rooms_open") === 0,
          "scalesocket_rooms_open to return to 0",
        );
      });

      async function join(room: string): Promise<Player> {
        const c = await Client.open(s.ws(`/${encodeURIComponent(room)}`));
        open.add(c);
        const text = await c.text(`the welcome of room ${room}`);
        const welcome = JSON.parse(text);
        assert.equal(welcome.t, "welcome", `the first message was not a welcome: ${text}`);
        return { c, id: welcome.id, pid: welcome.pid };
      }

      /** Sets the room's metadata through the child; settles once it took effect. */
      async function setMeta(p: Player, meta: Record<string, unknown>) {
        p.c.send(JSON.stringify({ meta }));
        assert.equal(await p.c.text("the child's meta set"), `{"_to":${p.id},"t":"meta set"}`);
      }

      /** Ends the room by making its child exit 0; its clients are closed with 1000. */
      async function endRoom(...players: Player[]) {
        players[0].c.send('{"exit":0}');
        for (const p of players) {
          assert.deepEqual(await p.c.closedWithin(), { code: 1000, reason: "" });
        }
      }

      it("/api/rooms lists only the live rooms, sorted by name, as {name, connections, metadata}", async () => {
        assert.deepEqual(await rooms(), []);
        const beta = await join("beta");
        const alpha = [await join("alpha"), await join("alpha")];
        assert.deepEqual(await rooms(), [
          { name: "alpha", connections: 2, metadata: null },
          { name: "beta", connections: 1, metadata: null },
        ]);
        await alpha[1].c.close();
        await waitFor(
          async () => (await rooms())[0]?.connections === 1,
          "alpha to count 1 connection after one of its 2 clients left",
        );
        await beta.c.close();
        await waitFor(
          async () => !(await rooms()).some((r) => r.name === "beta"),
          "beta to leave the list once its last client left",
        );
        assert.deepEqual(await rooms(), [{ name: "alpha", connections: 1, metadata: null }]);
      });

      it("/api/<room> is that room, and /connections and /metadata are its bare values", async () => {
        await join("solo");
        const solo = { name: "solo", connections: 1, metadata: null };
        assert.deepEqual(await get(s, "/api/solo"), { status: 200, body: solo });
        assert.deepEqual(await get(s, "/api/solo/connections"), { status: 200, body: 1 });
        assert.deepEqual(await get(s, "/api/solo/metadata"), { status: 200, body: null });
      });

      it("/api/<room> is 404 for a room that never existed and for one that ended", async () => {
        const paths = (room: string) =>
          ["", "/connections", "/metadata"].map((p) => `/api/${room}${p}`);
        for (const path of paths("nobody")) assert.equal((await get(s, path)).status, 404, path);
        const exited = await join("exited");
        const left = await join("left");
        assert.equal((await get(s, "/api/exited")).status, 200);
        await endRoom(exited);
        await left.c.close();
        for (const room of ["exited", "left"]) {
          await waitFor(
            async () => (await get(s, `/api/${room}`)).status === 404,
            `/api/${room} to answer 404 once the room ended`,
          );
          for (const path of paths(room)) assert.equal((await get(s, path)).status, 404, path);
        }
      });

      it("metadata comes from the child's _meta lines and is cleared when the room ends", async () => {
        const a = await join("meta");
        const b = await join("meta");
        await setMeta(a, { players: 2, phase: "lobby" });
        assert.deepEqual(await get(s, "/api/meta/metadata"), {
          status: 200,
          body: { players: 2, phase: "lobby" },
        });
        await setMeta(b, { players: 2 });
        const meta = { name: "meta", connections: 2, metadata: { players: 2 } };
        assert.deepEqual(
          await get(s, "/api/meta"),
          { status: 200, body: meta },
          "the second _meta line did not replace the first",
        );
        // Neither _meta line was sent: the next thing b gets is a's echo.
        a.c.send('{"t":"after"}');
        assert.equal(await b.c.text("a's echo"), `{"t":"after","_from":${a.id}}`);
        await endRoom(a, b);
        await waitFor(async () => (await get(s, "/api/meta")).status === 404, "room meta to end");
        await join("meta");
        assert.deepEqual(await get(s, "/api/meta/metadata"), { status: 200, body: null });
      });

      it("/api/<room> takes percent-encoded names: /api/caf%C3%A9 is room café", async () => {
        const names = ["café", "a b", "50%", "%41"];
        for (const name of names) await join(name);
        for (const name of names) {
          const path = `/api/${encodeURIComponent(name)}`;
          const info = { name, connections: 1, metadata: null };
          assert.deepEqual(await get(s, path), { status: 200, body: info }, path);
        }
        assert.deepEqual((await rooms()).map((r) => r.name), [...names].sort());
      });

      it("GET / is a self-contained lobby page that fetches /api/rooms", async () => {
        const res = await fetch(s.http("/"));
        const html = await res.text();
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "(none)", /^text\/html/);
        assert.doesNotMatch(html, /https?:\/\//, "the page refers to another site");
        assert.doesNotMatch(html, /\b(src|href)\s*=/i, "the page loads another file");
        const fetchesRooms = /fetch\(\s*["'`]\/api\/rooms["'`]/;
        assert.match(html, fetchesRooms, "the page does not fetch /api/rooms");
      });

      metricsTests({
        server: () => s,
        join,
        rooms,
        scrape: () => scrape(s),
        parse: (text) => parser.parse(text),
      });

      it("answers /ready with 200 while rooms are live", async () => {
        await join("busy");
        assert.deepEqual(await get(s, "/ready"), { status: 200, body: { status: "ready" } });
      });

      it("--log=json connect and disconnect lines carry room, id, remote, close code and ms", async () => {
        const p = await join("logged");
        p.c.ws.close(4001, "done");
        await p.c.closedWithin();
        const line = (msg: string) => logs(s).find((e) => e.msg === msg && e.id === p.id);
        await waitFor(() => line("client disconnected") !== undefined, "the disconnect line");
        const { room, id, remote } = line("client connected") ?? {};
        assert.deepEqual({ room, id, remote }, { room: "logged", id: p.id, remote: "127.0.0.1" });
        const gone = line("client disconnected")!;
        assert.deepEqual(
          { room: gone.room, id: gone.id, remote: gone.remote, code: gone.code },
          { room: "logged", id: p.id, remote: "127.0.0.1", code: 4001 },
        );
        assert.ok(
          typeof gone.ms === "number" && gone.ms >= 0,
          `no duration: ${JSON.stringify(gone)}`,
        );
      });

      it("--log=json process lines carry the child's pid", async () => {
        const p = await join("pids");
        await endRoom(p);
        const line = (msg: string) => logs(s).find((e) => e.msg === msg && e.room === "pids");
        await waitFor(() => line("process exited") !== undefined, "the process exited line");
        assert.equal(line("process started")?.pid, p.pid, "process started names another pid");
        assert.equal(line("process exited")?.pid, p.pid, "process exited names another pid");
      });
    });

    flagTests(l, scrape);
  });
}
