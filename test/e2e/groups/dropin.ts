// End to end: what users of ScaleSocket and websocketd meet first, taken from their own docs and
// examples: the root path, /NAME with --dir, #QUERY_NAME, API paths with a slash, a 13-byte key.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { request } from "node:http";
import { launch, type Launcher, PY, type Running } from "../harness.ts";
import { Client, refusal } from "../client.ts";
import { fixtureScript, tempDir } from "./websocketd-util.ts";
import { dropInHttpTests } from "./dropin-http.ts";

async function envOf(url: string): Promise<Record<string, string>> {
  const c = await Client.open(url);
  const env = JSON.parse(await c.text(`the environment of ${url}`));
  await c.close();
  return env;
}

export function dropInTests(l: Launcher): void {
  describe("drop-in for websocketd and ScaleSocket", () => {
    rootTests(l);
    dirTests(l);
    scaleSocketTests(l);
    dropInHttpTests(l);
  });
}

function rootTests(l: Launcher): void {
  describe("the root path", () => {
    let s: Running;
    before(async () => s = await launch(l, [...PY, "env"]));
    after(() => s.stop());

    it("ws://host/ is room default, the same room as /default", async () => {
      const a = await Client.open(s.ws("/"));
      const env = JSON.parse(await a.text("the environment of the root's child"));
      assert.equal(env.ROOM, "default");
      assert.equal(env.PATH_INFO, "/");
      const b = await Client.open(s.ws("/default"));
      b.send("same child?");
      assert.equal(await a.text("b's line, echoed to a"), "same child?", "/ is not /default");
      await Promise.all([a.close(), b.close()]);
    });

    it("a refused websocket leaves one line in the log saying why, with a hint", async () => {
      assert.equal((await refusal(s.ws("/a/b?token=secret"))).status, 404);
      const [line] = await s.waitForLog(/^.*websocket refused.*path=\/a\/b.*$/m);
      assert.match(line, /INFO/, `not at the default level: ${line}`);
      assert.match(line, /status=404/);
      assert.match(line, /use --perconnection for one process per connection/);
      assert.doesNotMatch(line, /secret/, "the query reached the log");
      assert.equal((await refusal(s.ws("/health"))).status, 400);
      await s.waitForLog(/websocket refused: Invalid room path=\/health status=400/);
    });
  });
}

function dirTests(l: Launcher): void {
  describe("--dir without --perconnection", () => {
    let s: Running;
    before(async () => {
      const dir = tempDir("dropin-dir");
      fixtureScript(dir, "env", ["env"]);
      s = await launch(l, ["--dir", dir]);
    });
    after(() => s.stop());

    it("/NAME is program NAME's default room, the same as /NAME/default", async () => {
      const a = await Client.open(s.ws("/env"));
      const env = JSON.parse(await a.text("the environment of /env's child"));
      assert.equal(env.ROOM, "default");
      assert.equal(env.SCRIPT_NAME, "/env");
      assert.equal(env.PATH_INFO, "");
      assert.equal(env.PATH_TRANSLATED, undefined, "PATH_TRANSLATED set without PATH_INFO");
      const b = await Client.open(s.ws("/env/default/"));
      b.send("same child?");
      assert.equal(
        await a.text("b's line, echoed to a"),
        "same child?",
        "/env is not /env/default",
      );
      await Promise.all([a.close(), b.close()]);
    });

    it("/NAME/ROOM still has PATH_INFO=/ROOM and PATH_TRANSLATED", async () => {
      const env = await envOf(s.ws("/env/lobby"));
      assert.equal(env.ROOM, "lobby");
      assert.equal(env.PATH_INFO, "/lobby");
      assert.equal(env.PATH_TRANSLATED, "/env/lobby");
    });

    it("a longer path is refused with 404 and a hint in the log", async () => {
      assert.equal((await refusal(s.ws("/env/a/b"))).status, 404);
      await s.waitForLog(/websocket refused.*path=\/env\/a\/b.*--perconnection/);
    });
  });
}

function scaleSocketTests(l: Launcher): void {
  describe("ScaleSocket's documented requests", () => {
    let s: Running;
    before(async () => {
      const join = "--joinmsg=join #QUERY_NAME #QUERY_name #QUERY_MISSING";
      s = await launch(l, ["--api", join, ...PY, "echo"]);
    });
    after(() => s.stop());

    it("#QUERY_NAME and #QUERY_name both give ?name=, an unknown one stays as written", async () => {
      const c = await Client.open(s.ws("/people?name=John+Doe"));
      assert.equal(await c.text("the join line"), "join John%20Doe John%20Doe #QUERY_MISSING");
      await c.close();
    });

    it("/api/rooms/ and /api/<room>/... answer as without the slash", async () => {
      const c = await Client.open(s.ws("/slash"));
      assert.match(await c.text("the join line"), /^join /);
      for (
        const path of ["/api/rooms", "/api/slash", "/api/slash/connections", "/api/slash/metadata"]
      ) {
        const plain = await fetch(s.http(path));
        const slashed = await fetch(s.http(`${path}/`));
        assert.equal(slashed.status, 200, `${path}/ answered ${slashed.status}`);
        assert.deepEqual(await slashed.json(), await plain.json(), `${path}/ differs from ${path}`);
      }
      assert.equal((await fetch(s.http("/api/nosuchroom/"))).status, 404);
      await c.close();
    });

    it("the Quick Start's 13-byte Sec-WebSocket-Key is upgraded, with its own accept", async () => {
      const key = "SGVsbG8sIHdvcmxkIQ==";
      const accept = await upgradeWith(s, "/quickstart", key);
      const want = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC11B65`);
      assert.equal(accept, want.digest("base64"));
    });

    it("a key that is not base64 is still refused with 400", async () => {
      await assert.rejects(upgradeWith(s, "/bad", "not base64!"), /answered 400/);
    });
  });
}

/** Offers a websocket with this key; the Sec-WebSocket-Accept of the 101, or a failure. */
function upgradeWith(s: Running, path: string, key: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(s.http(path), {
      headers: {
        Connection: "Upgrade",
        Upgrade: "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": key,
      },
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve(String(res.headers["sec-websocket-accept"]));
    });
    req.on("response", (res) => {
      res.resume();
      reject(new Error(`${path} answered ${res.statusCode}, not 101`));
    });
    req.on("error", reject);
    req.end();
  });
}
