// End to end: websocketd's serving modes (S11): --perconnection, --dir, --maxforks, --closems.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client, refusal } from "../client.ts";
import { fixtureScript, tempDir } from "./websocketd-util.ts";
import { websocketdNetTests } from "./websocketd-net.ts";
import { websocketdHttpTests } from "./websocketd-http.ts";

async function envOf(url: string): Promise<Record<string, string>> {
  const c = await Client.open(url);
  const env = JSON.parse(await c.text(`the environment of ${url}`));
  await c.close();
  return env;
}

async function pidOf(c: Client): Promise<number> {
  return Number(await c.text("the child's pid"));
}

export function websocketdTests(l: Launcher): void {
  describe("websocketd flags", () => {
    perConnectionTests(l);
    dirTests(l);
    limitTests(l);
    websocketdNetTests(l);
    websocketdHttpTests(l);
  });
}

function perConnectionTests(l: Launcher): void {
  describe("--perconnection", () => {
    let s: Running;
    // The query picks the fixture's mode, so one server serves every test here.
    before(async () => s = await launch(l, ["--perconnection", ...PY, "query"]));
    after(() => s.stop());

    it("gives every connection its own child, even on the same path", async () => {
      const a = await Client.open(s.ws("/a/b?mode=pid"));
      const b = await Client.open(s.ws("/a/b?mode=pid"));
      const [pa, pb] = [await pidOf(a), await pidOf(b)];
      assert.notEqual(pa, pb, "two connections to /a/b share a child");
      b.send("hi");
      assert.equal(await b.text(), `${pb} hi`);
      await a.close();
      await waitFor(() => !alive(pa), `child ${pa} to be stopped when its client left`);
      assert.ok(alive(pb), "the other connection's child was stopped too");
      await b.close();
    });

    for (const path of ["/", "/lobby", "/a/b", "/api/x"]) {
      it(`accepts ${path} with SCRIPT_NAME=/, PATH_INFO=${path} and no ROOM`, async () => {
        const env = await envOf(s.ws(`${path}?mode=env`));
        assert.equal(env.SCRIPT_NAME, "/");
        assert.equal(env.PATH_INFO, path);
        assert.equal(env.REQUEST_URI, `${path}?mode=env`);
        assert.equal(env.ROOM, undefined, "ROOM is set in --perconnection mode");
      });
    }
  });
}

function dirTests(l: Launcher): void {
  describe("--dir", () => {
    // DIR holds programs, a file that is not executable, a hidden program and a link out.
    // ROOT/dir is DIR; ROOT/escape is a program just outside it.
    let dir = "";
    before(() => {
      const root = tempDir("dir");
      dir = join(root, "dir");
      mkdirSync(dir);
      fixtureScript(dir, "pid", ["pid"]);
      fixtureScript(dir, "env", ["env"]);
      fixtureScript(dir, "notes.txt", ["pid"], false);
      fixtureScript(dir, ".hidden", ["pid"]);
      fixtureScript(root, "escape", ["pid"]);
      symlinkSync(join(root, "escape"), join(dir, "link-out"));
    });
    dirModes(l, () => dir);
  });
}

function dirModes(l: Launcher, dir: () => string): void {
  const notServed = [
    "/notes.txt/r",
    "/missing/r",
    "/.hidden/r",
    "/..%2Fescape/r",
    "/%2e%2e/r",
    "/link-out/r",
  ];

  describe("without --perconnection", () => {
    let s: Running;
    before(async () => s = await launch(l, ["--dir", dir()]));
    after(() => s.stop());

    it("/NAME/ROOM is room ROOM of program NAME: shared within a room, not across", async () => {
      const a = await Client.open(s.ws("/pid/one"));
      const b = await Client.open(s.ws("/pid/one/"));
      const c = await Client.open(s.ws("/pid/two"));
      const [pa, pb, pc] = [await pidOf(a), await pidOf(b), await pidOf(c)];
      assert.equal(pa, pb, "/pid/one and /pid/one/ are one room");
      assert.notEqual(pa, pc, "/pid/two shares /pid/one's child");
      await Promise.all([a.close(), b.close(), c.close()]);
    });

    it("tells the child ROOM, SCRIPT_NAME=/NAME and PATH_INFO=/ROOM", async () => {
      const env = await envOf(s.ws("/env/lobby?x=1"));
      assert.equal(env.ROOM, "lobby");
      assert.equal(env.SCRIPT_NAME, "/env");
      assert.equal(env.PATH_INFO, "/lobby");
      assert.equal(env.QUERY_STRING, "x=1");
    });

    for (const path of ["/pid/x/y", ...notServed]) {
      it(`answers ${path} with 404 before the upgrade`, async () => {
        const r = await refusal(s.ws(path));
        assert.equal(r.status, 404, `${path}: ${r.body}`);
      });
    }
  });

  describe("with --perconnection", () => {
    let s: Running;
    before(async () => s = await launch(l, ["--dir", dir(), "--perconnection"]));
    after(() => s.stop());

    it("/NAME[/MORE] runs NAME, a child per connection, MORE in PATH_INFO", async () => {
      const a = await Client.open(s.ws("/pid/x/y"));
      const b = await Client.open(s.ws("/pid/x/y"));
      assert.notEqual(await pidOf(a), await pidOf(b), "two connections share a child");
      await Promise.all([a.close(), b.close()]);
      const env = await envOf(s.ws("/env/x/y?q=1"));
      assert.equal(env.SCRIPT_NAME, "/env");
      assert.equal(env.PATH_INFO, "/x/y");
      assert.equal(env.ROOM, undefined);
      assert.equal((await envOf(s.ws("/env"))).PATH_INFO, "");
    });

    for (const path of notServed) {
      it(`answers ${path} with 404 before the upgrade`, async () => {
        assert.equal((await refusal(s.ws(path))).status, 404);
      });
    }
  });
}

function limitTests(l: Launcher): void {
  describe("--port, --address, --maxforks and --closems", () => {
    it("--port 0 with --address listens on that address, on a free port", async () => {
      const s = await launch(l, ["--port", "0", "--address", "127.0.0.1", ...PY, "echo"]);
      assert.match(s.stderr(), /listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.notEqual(s.port, 0);
      const c = await Client.open(s.ws("/here"));
      c.send("hi");
      assert.equal(await c.text(), "hi");
      await c.close();
      await s.stop();
    });

    it("--maxforks with --perconnection refuses the connection past the limit with 429", async () => {
      const s = await launch(l, ["--perconnection", "--maxforks", "1", ...PY, "pid"]);
      const a = await Client.open(s.ws("/same"));
      const pid = await pidOf(a);
      const r = await refusal(s.ws("/same"));
      assert.equal(r.status, 429);
      assert.notEqual(r.body.trim(), "", "the 429 has no body");
      await a.close();
      await waitFor(() => !alive(pid), "the first child to be stopped");
      await waitFor(async () => {
        try {
          await (await Client.open(s.ws("/same"))).close();
          return true;
        } catch {
          return false;
        }
      }, "a connection to be accepted once the slot is free");
      await s.stop();
    });

    it("--closems lengthens each wait before INT, TERM and KILL", async () => {
      const closeMs = 400;
      const file = join(tempDir("closems"), "log");
      const s = await launch(l, [
        "--perconnection",
        "--closems",
        String(closeMs),
        ...PY,
        "signals",
        file,
      ]);
      const a = await Client.open(s.ws("/slow"));
      assert.equal(await a.text(), "ready");
      const pid = Number((await s.waitForLog(/process started .*pid=(\d+)/))[1]);
      const leftAt = Date.now();
      await a.close();
      await waitFor(() => !alive(pid), "the child to be killed", 15_000);
      // Lower bounds only: the server starts its sequence after it sees the close. The child
      // notes EOF and each signal when its handler runs, which a loaded machine can delay by
      // tens of ms (a late SIGINT note shortens the next gap): 150 ms of slack still leaves each
      // bound well above the wait without --closems (100 and 250 ms).
      const took = Date.now() - leftAt;
      assert.ok(took >= 100 + 250 + 500 + 3 * closeMs, `killed after ${took} ms`);
      const seen = readFileSync(file, "utf8").trim().split("\n").map((x) => x.split(" "));
      assert.deepEqual(seen.map((x) => x[0]), ["EOF", "SIGINT", "SIGTERM"]);
      const at = seen.map((x) => Number(x[1]) * 1000);
      const slack = 150;
      assert.ok(at[1] - at[0] >= 100 + closeMs - slack, `SIGINT ${at[1] - at[0]} ms after EOF`);
      assert.ok(at[2] - at[1] >= 250 + closeMs - slack, `SIGTERM ${at[2] - at[1]} ms after SIGINT`);
      await s.stop();
    });
  });
}
