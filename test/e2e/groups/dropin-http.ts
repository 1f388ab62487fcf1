// End to end: websocketd's plain-HTTP uses with no program, its CGI variables, and a script
// whose "#!" interpreter is missing.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, type Launcher } from "../harness.ts";
import { Client, refusal } from "../client.ts";
import { rawRequest, tempDir } from "./websocketd-util.ts";

/** A CGI script telling its PATH_INFO and PATH_TRANSLATED ("unset" when not set). */
const CGI_SCRIPT = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
printf '%s|%s' "\${PATH_INFO-unset}" "\${PATH_TRANSLATED-unset}"
`;

function writeScript(dir: string, name: string, text: string): void {
  writeFileSync(join(dir, name), text);
  chmodSync(join(dir, name), 0o755);
}

export function dropInHttpTests(l: Launcher): void {
  describe("with no program", () => {
    it("--staticdir alone serves files and refuses websockets with 404 and a log line", async () => {
      const dir = tempDir("dropin-static");
      writeFileSync(join(dir, "index.html"), "<h1>hi</h1>");
      const s = await launch(l, ["--staticdir", dir]);
      const page = await fetch(s.http("/"));
      assert.equal(page.status, 200);
      assert.equal(await page.text(), "<h1>hi</h1>");
      assert.equal((await refusal(s.ws("/"))).status, 404);
      await s.waitForLog(/websocket refused: Not found path=\/ status=404 hint="no program/);
      await s.stop();
    });

    it("--cgidir alone runs CGI scripts", async () => {
      const dir = tempDir("dropin-cgi");
      writeScript(dir, "where", CGI_SCRIPT);
      const s = await launch(l, ["--cgidir", dir]);
      const r = await rawRequest(s.http(""), "/where/x/y");
      assert.equal(r.status, 200, r.body);
      assert.equal(r.body, "/x/y|/where/x/y");
      assert.equal((await refusal(s.ws("/where"))).status, 404);
      await s.stop();
    });
  });

  describe("CGI variables", () => {
    it("PATH_TRANSLATED is set only when there is a PATH_INFO", async () => {
      const dir = tempDir("dropin-translated");
      writeScript(dir, "where", CGI_SCRIPT);
      const s = await launch(l, ["--cgidir", dir]);
      assert.equal((await rawRequest(s.http(""), "/where")).body, "|unset");
      assert.equal((await rawRequest(s.http(""), "/where/a")).body, "/a|/where/a");
      await s.stop();
    });
  });

  describe("a program that cannot start", () => {
    it("names the missing #! interpreter instead of saying file not found", async () => {
      const dir = tempDir("dropin-shebang");
      writeScript(dir, "count.py", "#!/usr/bin/python-gone\nprint(1)\n");
      // An absolute path: a launcher started in another directory may not find its own loader.
      const script = join(dir, "count.py");
      const s = await launch(l, [script]);
      const c = await Client.open(s.ws("/count"));
      const closed = await c.closedWithin();
      const want = `Cannot spawn "${script}": interpreter "/usr/bin/python-gone" not found`;
      assert.deepEqual(closed, { code: 1011, reason: want });
      await s.waitForLog(/interpreter "\/usr\/bin\/python-gone" not found/);
      await s.stop();
    });
  });
}
