// End to end: websocketd's flags around plain HTTP and the child's streams (S11): --devconsole,
// --cgidir, --reverselookup, --passstderr.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { launch, type Launcher, PY, runCli, type Running } from "../harness.ts";
import { Client } from "../client.ts";
import { fixtureScript, rawRequest, tempDir } from "./websocketd-util.ts";

export function websocketdHttpTests(l: Launcher): void {
  devConsoleTests(l);
  cgiTests(l);
  describe("the child's side", () => {
    it("--reverselookup sets REMOTE_HOST to a name, or the address when none is found", async () => {
      const s = await launch(l, ["--reverselookup", ...PY, "env"]);
      const c = await Client.open(s.ws("/who"));
      // Reverse DNS of 127.0.0.1 differs between machines: only a non-empty value is certain.
      const env = JSON.parse(await c.text("the child's environment"));
      assert.equal(typeof env.REMOTE_HOST, "string");
      assert.notEqual(env.REMOTE_HOST, "");
      assert.equal(env.REMOTE_ADDR, "127.0.0.1");
      await c.close();
      await s.stop();
    });

    it('--passstderr sends stdout and stderr lines as {"stream","data"}', async () => {
      const s = await launch(l, ["--passstderr", ...PY, "stderr", "oops"]);
      const c = await Client.open(s.ws("/streams"));
      assert.deepEqual(JSON.parse(await c.text("the stderr line")), {
        stream: "stderr",
        data: "oops",
      });
      c.send("hi");
      assert.deepEqual(JSON.parse(await c.text("the echo")), { stream: "stdout", data: "hi" });
      await c.close();
      await s.stop();
    });
  });
}

function devConsoleTests(l: Launcher): void {
  describe("--devconsole", () => {
    let s: Running;
    before(async () => s = await launch(l, ["--devconsole", ...PY, "echo"]));
    after(() => s.stop());

    it("answers GET /lobby with a page that opens the socket at its own path", async () => {
      const res = await fetch(s.http("/lobby"));
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      const page = await res.text();
      assert.match(page, /new WebSocket\(/);
      assert.match(page, /location\.pathname/);
    });

    it("still serves the websocket of the same path", async () => {
      const c = await Client.open(s.ws("/lobby"));
      c.send("hello");
      assert.equal(await c.text(), "hello");
      await c.close();
    });

    it("cannot be combined with --staticdir: exit 2 naming both", async () => {
      const r = await runCli(l, ["--devconsole", "--staticdir", tempDir("static"), ...PY, "echo"]);
      assert.equal(r.code, 2, r.stderr);
      const [first, second] = r.stderr.split("\n");
      assert.match(first, /--devconsole/);
      assert.match(first, /--staticdir/);
      assert.equal(second, "Run 'scalesocket --help' for usage.");
    });
  });
}

function cgiTests(l: Launcher): void {
  describe("--cgidir", () => {
    let s: Running;
    before(async () => {
      // ROOT/cgi is the directory; ROOT/escape is a script just outside it.
      const root = tempDir("cgi");
      const dir = join(root, "cgi");
      mkdirSync(dir);
      fixtureScript(dir, "script", ["cgi"]);
      fixtureScript(dir, "plain", ["cgi"], false);
      fixtureScript(root, "escape", ["cgi"]);
      symlinkSync(join(root, "escape"), join(dir, "link-out"));
      s = await launch(l, ["--cgidir", dir, ...PY, "echo"]);
    });
    after(() => s.stop());

    it("runs a GET with its query and extra path", async () => {
      const res = await rawRequest(s.http(""), "/script/more/path?a=1&b=%20");
      assert.equal(res.status, 200, res.body);
      assert.match(String(res.headers["content-type"]), /^application\/json/);
      const seen = JSON.parse(res.body);
      assert.equal(seen.REQUEST_METHOD, "GET");
      assert.equal(seen.QUERY_STRING, "a=1&b=%20");
      assert.equal(seen.SCRIPT_NAME, "/script");
      assert.equal(seen.PATH_INFO, "/more/path");
      assert.equal(seen.body, "");
    });

    it("passes a POST body on stdin, with its content type", async () => {
      const res = await rawRequest(s.http(""), "/script", {
        method: "POST",
        body: "name=ada&x=1",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      assert.equal(res.status, 200, res.body);
      const seen = JSON.parse(res.body);
      assert.equal(seen.REQUEST_METHOD, "POST");
      assert.equal(seen.CONTENT_TYPE, "application/x-www-form-urlencoded");
      assert.equal(seen.body, "name=ada&x=1");
    });

    it("turns the Status and Location headers into the answer's status and header", async () => {
      const created = await rawRequest(s.http(""), "/script?status=201%20Created&location=/new");
      assert.equal(created.status, 201);
      assert.equal(created.headers.location, "/new");
      const moved = await rawRequest(s.http(""), "/script?location=/elsewhere");
      assert.equal(moved.status, 302, "a Location without Status is a redirect");
      assert.equal(moved.headers.location, "/elsewhere");
    });

    const outsidePaths = [
      "/missing",
      "/plain",
      "/link-out",
      "/..%2Fescape",
      "/../escape",
      "/%2e%2e/escape",
    ];
    for (const path of outsidePaths) {
      it(`answers ${path} with 404 and runs nothing`, async () => {
        const res = await rawRequest(s.http(""), path);
        assert.equal(res.status, 404, `${path}: ${res.body}`);
      });
    }
  });
}
