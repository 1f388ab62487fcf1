// End to end: the child process (S3): environment, stderr, stopping, exit codes, hygiene.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { alive, CHILD, launch, type Launcher, PY, PYTHON, waitFor } from "../harness.ts";
import { Client } from "../client.ts";

/** Variables websocketd sets for every connection (S11), plus ours. */
const CGI = [
  "SERVER_SOFTWARE",
  "REMOTE_ADDR",
  "REMOTE_HOST",
  "REMOTE_PORT",
  "SERVER_NAME",
  "SERVER_PORT",
  "SERVER_PROTOCOL",
  "GATEWAY_INTERFACE",
  "REQUEST_METHOD",
  "SCRIPT_NAME",
  "PATH_INFO",
  "PATH_TRANSLATED",
  "QUERY_STRING",
  "REQUEST_URI",
  "AUTH_TYPE",
  "CONTENT_LENGTH",
  "CONTENT_TYPE",
  "REMOTE_IDENT",
  "REMOTE_USER",
  "UNIQUE_ID",
  "ROOM",
];

export function childTests(l: Launcher): void {
  describe("child process", () => {
    it("gets only PATH, the CGI variables and the request headers", async () => {
      const s = await launch(l, [...PY, "env"], { env: { SECRET_TOKEN: "leak" } });
      const c = await Client.open(s.ws("/caf%C3%A9%20room?a=1&b=%20"), { "X-Custom": "v1" });
      const env = JSON.parse(await c.text("the child's environment"));
      const expected = new Set(["PATH", ...CGI]);
      if (process.env.LD_LIBRARY_PATH !== undefined) expected.add("LD_LIBRARY_PATH");
      const extra = Object.keys(env).filter((k) => !expected.has(k) && !k.startsWith("HTTP_"));
      // Python itself may add LC_CTYPE when the locale is unset; it is not ours to pass.
      assert.deepEqual(extra.filter((k) => k !== "LC_CTYPE"), [], "unexpected variables");
      assert.equal(env.SECRET_TOKEN, undefined);
      assert.equal(env.ROOM, "café room");
      assert.equal(env.QUERY_STRING, "a=1&b=%20");
      assert.equal(env.REQUEST_URI, "/caf%C3%A9%20room?a=1&b=%20");
      assert.equal(env.REMOTE_ADDR, "127.0.0.1");
      assert.match(env.REMOTE_PORT, /^\d+$/);
      assert.equal(env.REQUEST_METHOD, "GET");
      assert.equal(env.SERVER_NAME, "127.0.0.1");
      assert.equal(env.SERVER_PORT, String(s.port));
      assert.equal(env.SERVER_PROTOCOL, "HTTP/1.1");
      assert.equal(env.GATEWAY_INTERFACE, "CGI/1.1");
      assert.match(env.SERVER_SOFTWARE, /^scalesocket\//);
      assert.equal(env.HTTP_X_CUSTOM, "v1");
      assert.equal(env.HTTP_HOST, `127.0.0.1:${s.port}`);
      assert.equal(env.HTTPS, undefined);
      for (const k of ["AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "REMOTE_USER"]) {
        assert.equal(env[k], "", `${k} is set empty, as websocketd does`);
      }
      await c.close();
      await s.stop();
    });

    it("--passenv replaces the default list, and --passenv= passes none", async () => {
      const s = await launch(l, ["--passenv", "FOO", PYTHON, CHILD, "env"], {
        env: { FOO: "bar", BAR: "no" },
      });
      const c = await Client.open(s.ws("/p"));
      const env = JSON.parse(await c.text());
      assert.equal(env.FOO, "bar");
      assert.equal(env.BAR, undefined);
      assert.equal(env.PATH, undefined, "PATH is not passed once --passenv names a list");
      await c.close();
      await s.stop();
      const none = await launch(l, ["--passenv=", PYTHON, CHILD, "env"], { env: { FOO: "bar" } });
      const d = await Client.open(none.ws("/p"));
      const env2 = JSON.parse(await d.text());
      assert.equal(env2.FOO, undefined);
      assert.equal(env2.PATH, undefined);
      await d.close();
      await none.stop();
    });

    it("finds a bare command on the server's PATH even when the child gets no PATH", async () => {
      const s = await launch(l, ["--passenv=", "cat"]);
      const c = await Client.open(s.ws("/cat"));
      c.send("meow");
      assert.equal(await c.text("cat's echo"), "meow");
      await c.close();
      await s.stop();
    });

    it("passes the child's stderr to the server's stderr with its room", async () => {
      const s = await launch(l, [...PY, "stderr", "oops from the child"]);
      const c = await Client.open(s.ws("/err"));
      const m = await s.waitForLog(/.*oops from the child.*/);
      assert.match(m[0], /room=err/);
      await c.close();
      await s.stop();
    });

    it("the last client leaving stops the child, and a new client starts a fresh one", async () => {
      const s = await launch(l, [...PY, "pid"]);
      const a = await Client.open(s.ws("/r"));
      const pid = Number(await a.text());
      const b = await Client.open(s.ws("/r"));
      await a.close();
      b.send("still here");
      assert.equal(await b.text(), `${pid} still here`, "the child ended while b remained");
      await b.close();
      await waitFor(() => !alive(pid), `child ${pid} to be stopped`);
      const c = await Client.open(s.ws("/r"));
      assert.notEqual(Number(await c.text()), pid);
      await c.close();
      await s.stop();
    });

    it("a child ignoring signals gets stdin closed, then INT, TERM and KILL in order", async () => {
      const dir = mkdtempSync(join(tmpdir(), "ss-signals-"));
      const file = join(dir, "log");
      const s = await launch(l, [...PY, "signals", file]);
      const a = await Client.open(s.ws("/sig"));
      assert.equal(await a.text(), "ready");
      const pidLine = await s.waitForLog(/process started room=sig pid=(\d+)/);
      const pid = Number(pidLine[1]);
      await a.close();
      await waitFor(() => !alive(pid), "the child to be killed", 5_000);
      const seen = readFileSync(file, "utf8").trim().split("\n").map((x) => x.split(" ")[0]);
      assert.deepEqual(seen, ["EOF", "SIGINT", "SIGTERM"]);
      await s.stop();
    });

    it("grandchildren are stopped with the child's process group", async () => {
      const s = await launch(l, [...PY, "grandchild"]);
      const a = await Client.open(s.ws("/g"));
      const [pid, grandchild] = (await a.text()).split(" ").map(Number);
      assert.ok(alive(grandchild));
      await a.close();
      await waitFor(() => !alive(pid) && !alive(grandchild), "child and grandchild to be gone");
      await s.stop();
    });

    it("--linger keeps the child for a client that comes back in time", async () => {
      const s = await launch(l, ["--linger", "30", ...PY, "pid"]);
      const a = await Client.open(s.ws("/l"));
      const pid = Number(await a.text());
      await a.close();
      const b = await Client.open(s.ws("/l"));
      b.send("back");
      assert.equal(await b.text(), `${pid} back`, "a fresh child answered");
      await b.close();
      await s.stop();
      assert.ok(!alive(pid), "the lingering child outlived the server");
    });

    it("--linger stops the child once the time is up", async () => {
      const s = await launch(l, ["--linger", "0.3", ...PY, "pid"]);
      const a = await Client.open(s.ws("/l"));
      const pid = Number(await a.text());
      await a.close();
      assert.ok(alive(pid), "stopped before lingering");
      await waitFor(() => !alive(pid), "the child to be stopped after the linger");
      await s.stop();
    });

    for (
      const [title, args, code, reason, lines] of [
        ["exit 0 closes with 1000 after all output", ["write", "a\\nb\\nlast"], 1000, "", [
          "a",
          "b",
          "last",
        ]],
        ["exit 3 closes with 1011 and the code", ["write", "x\\n", "3"], 1011, /code 3/, ["x"]],
        [
          "death by signal closes with 1011 naming it",
          ["kill-self", "SIGTERM"],
          1011,
          /SIGTERM/,
          [],
        ],
      ] as const
    ) {
      it(`a child that exits on its own: ${title}`, async () => {
        const s = await launch(l, [...PY, ...args]);
        const a = await Client.open(s.ws("/x"));
        assert.deepEqual(await a.texts(lines.length), lines);
        const closed = await a.closedWithin();
        assert.equal(closed.code, code);
        if (typeof reason === "string") assert.equal(closed.reason, reason);
        else assert.match(closed.reason, reason);
        await s.stop();
      });
    }

    it("the next client after the child exited gets a fresh child", async () => {
      const s = await launch(l, [...PY, "echo-then-exit", "1", "0"]);
      for (const word of ["one", "two"]) {
        const a = await Client.open(s.ws("/again"));
        a.send(word);
        assert.equal(await a.text(), word);
        assert.equal((await a.closedWithin()).code, 1000);
      }
      await s.stop();
    });

    it("a command that cannot be spawned closes with 1011 naming why; the server stays up", async () => {
      const s = await launch(l, ["./no-such-program"]);
      const a = await Client.open(s.ws("/nope"));
      const closed = await a.closedWithin();
      assert.equal(closed.code, 1011);
      assert.match(closed.reason, /no-such-program.*not found/);
      assert.equal((await fetch(s.http("/health"))).status, 200);
      await s.stop();
    });

    it("--delay queues messages until the child is attached", async () => {
      const s = await launch(l, ["--delay", "0.5", ...PY, "echo"]);
      const a = await Client.open(s.ws("/d"));
      const sent = Date.now();
      a.send("early");
      assert.equal(await a.text(), "early");
      assert.ok(Date.now() - sent >= 450, "the message reached the child before the delay");
      await a.close();
      await s.stop();
    });

    it("leaves no zombie and no orphan after rooms end", async () => {
      const s = await launch(l, [...PY, "pid"]);
      const pids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const c = await Client.open(s.ws(`/z${i}`));
        pids.push(Number(await c.text()));
        await c.close();
      }
      await waitFor(() => pids.every((p) => !alive(p)), "every child to be gone");
      let kids = "";
      try {
        kids = execFileSync("ps", ["-o", "pid=,stat=,args=", "--ppid", String(s.pid)], {
          encoding: "utf8",
        });
      } catch {
        // ps exits 1 when the server has no children at all: the best answer.
      }
      assert.doesNotMatch(kids, /^\s*\d+\s+Z/m, `a zombie child remains:\n${kids}`);
      await s.stop();
    });
  });
}
