// websocketd 0.4.1 and scalesocket --perconnection (Node, Deno) side by side: the same
// scenarios, the same results where websocketd is right, and our fix where it is not.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import WebSocket from "ws";
import { alive, launch, type Launcher, LAUNCHERS, PY, stopAll, waitFor } from "./harness.ts";
import { Client, refusal } from "./client.ts";
import { fixtureScript, tempDir } from "./groups/websocketd-util.ts";
import { HAVE_WEBSOCKETD, type Peer, startWebsocketd } from "./websocketd.ts";

/** Every server runs the fixture in `query` mode: the query string picks what the child does. */
const COMMON = ["--header", "X-All: a", ...PY, "query"];
const LAUNCHER: Record<string, Launcher> = {
  "scalesocket on node": LAUNCHERS.node,
  "scalesocket on deno": LAUNCHERS.deno,
};
const OURS = Object.keys(LAUNCHER);
const START: Record<string, () => Promise<Peer>> = {
  websocketd: () => startWebsocketd(COMMON),
  ...Object.fromEntries(
    OURS.map((name) => [name, () => launch(LAUNCHER[name], ["--perconnection", ...COMMON])]),
  ),
};
const peers: Record<string, Peer> = {};

async function envOf(s: Peer, path: string): Promise<Record<string, string>> {
  const c = await Client.open(s.ws(path), { "X-Test": "yes" });
  const env = JSON.parse(await c.text(`the environment for ${path}`));
  await c.close();
  return env;
}

/** Every message until the close, and the close. */
async function untilClose(c: Client) {
  const closed = await c.closedWithin();
  return { lines: c.pending().map((m) => m.data), ...closed };
}

/** A header of the 101 answer to a websocket request. */
function upgradeHeader(url: string, header: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once("upgrade", (res) => resolve(res.headers[header] as string | undefined));
    ws.once("open", () => ws.close());
    ws.once("error", reject);
  });
}

const skip = HAVE_WEBSOCKETD ? false : "websocketd is not on PATH (apt-get install websocketd)";

describe("websocketd compatibility", { skip }, () => {
  before(async () => {
    for (const [name, start] of Object.entries(START)) peers[name] = await start();
  });
  after(async () => {
    await Promise.all(Object.values(peers).map((s) => s.stop()));
    await stopAll();
  });

  for (const name of Object.keys(START)) {
    describe(`the same on ${name}`, () => {
      it("a count's lines arrive in order", async () => {
        const c = await Client.open(peers[name].ws("/count?mode=lines&arg=300&arg=n"));
        const got = await c.texts(300);
        assert.deepEqual(got, Array.from({ length: 300 }, (_, i) => `n ${i}`));
        await c.close();
      });

      it("echoes a message round trip", async () => {
        const c = await Client.open(peers[name].ws("/?mode=echo"));
        for (const msg of ["hello", "", "ünïcode ✓"]) {
          c.send(msg);
          assert.equal(await c.text(`the echo of ${JSON.stringify(msg)}`), msg);
        }
        await c.close();
      });

      for (const path of ["/", "/a/b", "/a/b/", "/lobby"]) {
        it(`passes ${path} and its raw query as SCRIPT_NAME, PATH_INFO, QUERY_STRING`, async () => {
          const query = "mode=env&x=1&y=%20&z&u=%C3%A9";
          const env = await envOf(peers[name], `${path}?${query}`);
          assert.equal(env.SCRIPT_NAME, "/");
          assert.equal(env.PATH_INFO, path);
          assert.equal(env.QUERY_STRING, query);
          assert.equal(env.REQUEST_URI, `${path}?${query}`);
          assert.equal(env.REQUEST_METHOD, "GET");
          assert.equal(env.ROOM, undefined);
        });
      }

      it("adds --header to the websocket upgrade", async () => {
        assert.equal(await upgradeHeader(peers[name].ws("/?mode=echo"), "x-all"), "a");
      });
    });
  }

  describe("the child's environment, variable by variable", () => {
    // Values that belong to one connection or one server, equal in kind on both sides.
    const perConnection: Record<string, RegExp> = {
      REMOTE_PORT: /^[1-9]\d*$/,
      HTTP_SEC_WEBSOCKET_KEY: /^[A-Za-z0-9+/]{22}==$/,
    };
    /** Intended differences: websocketd's value, and the documented one we set instead. */
    const differs = (s: Peer): Record<string, [RegExp | string, RegExp | string]> => ({
      SERVER_SOFTWARE: [/^websocketd\//, /^scalesocket\/\d+\.\d+\.\d+/],
      UNIQUE_ID: [/^\d+$/, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/],
      // RFC 3875's value, as S3 asks; websocketd names its own dialect.
      GATEWAY_INTERFACE: ["websocketd-CGI/0.1", "CGI/1.1"],
      // Raw, still percent-encoded (docs/decisions.md): a decoded %0A would drop the variable.
      PATH_INFO: ["/a/b c", "/a/b%20c"],
      PATH_TRANSLATED: ["/a/b c", "/a/b%20c"],
      SERVER_PORT: [String(peers.websocketd.port), String(s.port)],
    });
    const path = "/a/b%20c?mode=env&x=1&y=%2F";

    for (const name of OURS) {
      it(`${name} sets websocketd's variables, with only the documented differences`, async () => {
        const theirs = await envOf(peers.websocketd, path);
        const ours = await envOf(peers[name], path);
        // websocketd defect: Go moves Host out of the header map, so it never sets HTTP_HOST.
        assert.equal(theirs.HTTP_HOST, undefined, "websocketd now sets HTTP_HOST");
        assert.equal(ours.HTTP_HOST, `127.0.0.1:${peers[name].port}`);
        const names = (env: Record<string, string>) => Object.keys(env).sort();
        assert.deepEqual(names(ours).filter((n) => n !== "HTTP_HOST"), names(theirs));
        const different = differs(peers[name]);
        for (const n of names(theirs)) {
          if (perConnection[n]) {
            assert.match(theirs[n], perConnection[n], `websocketd's ${n}`);
            assert.match(ours[n], perConnection[n], n);
          } else if (different[n]) {
            const [want, ourWant] = different[n];
            const check = (v: string, w: RegExp | string, who: string) =>
              typeof w === "string" ? assert.equal(v, w, who) : assert.match(v, w, who);
            check(theirs[n], want, `websocketd's ${n}`);
            check(ours[n], ourWant, n);
          } else {
            assert.equal(ours[n], theirs[n], `${n} differs from websocketd's`);
          }
        }
      });
    }
  });

  describe("--dir (with --perconnection for scalesocket)", () => {
    const dirPeers: Record<string, Peer> = {};
    before(async () => {
      const dir = tempDir("compat-dir");
      fixtureScript(dir, "env", ["env"]);
      fixtureScript(dir, "notes.txt", ["env"], false);
      dirPeers.websocketd = await startWebsocketd([`--dir=${dir}`]);
      for (const name of OURS) {
        dirPeers[name] = await launch(LAUNCHER[name], ["--perconnection", "--dir", dir]);
      }
    });
    after(() => Promise.all(Object.values(dirPeers).map((s) => s.stop())));

    const cases: [string, string, string][] = [
      ["/env", "/env", ""],
      ["/env/", "/env", "/"],
      ["/env/x/y", "/env", "/x/y"],
    ];
    for (const [path, scriptName, pathInfo] of cases) {
      it(`${path} gives SCRIPT_NAME=${scriptName} and PATH_INFO=${pathInfo || '""'} everywhere`, async () => {
        for (const [name, s] of Object.entries(dirPeers)) {
          const env = await envOf(s, `${path}?q=1`);
          assert.deepEqual([env.SCRIPT_NAME, env.PATH_INFO, env.QUERY_STRING], [
            scriptName,
            pathInfo,
            "q=1",
          ], name);
        }
      });
    }

    it("a missing program is 404; a file that is not executable: websocketd upgrades and drops the connection, we answer 404", async () => {
      for (const [name, s] of Object.entries(dirPeers)) {
        assert.equal((await refusal(s.ws("/nope"))).status, 404, name);
      }
      const theirs = await untilClose(await Client.open(dirPeers.websocketd.ws("/notes.txt")));
      assert.equal(theirs.code, 1006, "websocketd 0.4.1 refuses non-executables now");
      for (const name of OURS) {
        assert.equal((await refusal(dirPeers[name].ws("/notes.txt"))).status, 404, name);
      }
    });
  });

  describe("websocketd's defects, fixed", () => {
    it("a final line without newline: websocketd drops it, we deliver it", async () => {
      const path = "/?mode=write&arg=a%5Cnb";
      const theirs = await untilClose(await Client.open(peers.websocketd.ws(path)));
      assert.deepEqual(theirs.lines, ["a"], "websocketd 0.4.1 delivers the final line now");
      for (const name of OURS) {
        const ours = await untilClose(await Client.open(peers[name].ws(path)));
        assert.deepEqual(ours.lines, ["a", "b"], name);
        assert.equal(ours.code, 1000, name);
      }
    });

    it("a child's exit: websocketd drops the connection (1006), we send a close frame with the code", async () => {
      const path = "/?mode=write&arg=bye%5Cn&arg=3";
      const theirs = await untilClose(await Client.open(peers.websocketd.ws(path)));
      assert.equal(theirs.code, 1006, "websocketd 0.4.1 sends a close frame now");
      for (const name of OURS) {
        const ours = await untilClose(await Client.open(peers[name].ws(path)));
        assert.deepEqual(ours.lines, ["bye"], name);
        assert.equal(ours.code, 1011, name);
        assert.equal(ours.reason, "process exited with code 3", name);
      }
    });

    it("a grandchild: websocketd leaves it running, we stop it with the child", async () => {
      for (const name of Object.keys(START)) {
        const c = await Client.open(peers[name].ws("/?mode=grandchild"));
        const [pid, grandchild] = (await c.text("the pids")).split(" ").map(Number);
        await c.close();
        await waitFor(() => !alive(pid), `${name}: the child to be stopped`);
        if (name === "websocketd") {
          // websocketd signals the child only; the orphan is ours to clean up.
          const orphaned = alive(grandchild);
          if (orphaned) process.kill(grandchild, "SIGKILL");
          assert.ok(orphaned, "websocketd 0.4.1 stops grandchildren now");
        } else {
          await waitFor(() => !alive(grandchild), `${name}: the grandchild to be stopped`);
        }
      }
    });

    it("--header on plain HTTP: websocketd leaves it out, we add it", async () => {
      const theirs = await fetch(peers.websocketd.http("/nothing"));
      assert.equal(theirs.status, 404);
      assert.equal(theirs.headers.get("x-all"), null, "websocketd 0.4.1 adds --header now");
      for (const name of OURS) {
        const ours = await fetch(peers[name].http("/nothing"));
        assert.equal(ours.headers.get("x-all"), "a", name);
      }
    });
  });
});
