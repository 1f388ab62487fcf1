// End to end: the command line (S1) as a user meets it: help, version, usage errors, exit codes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { CHILD, launch, type Launcher, ROOT, runCli } from "../harness.ts";
import { Client } from "../client.ts";

const VERSION = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")).version;

export function cliTests(l: Launcher): void {
  describe("command line", () => {
    it("--version prints the version and exits 0", async () => {
      const r = await runCli(l, ["--version"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `scalesocket ${VERSION}\n`);
    });

    it("--help prints the golden help text and exits 0", async () => {
      const r = await runCli(l, ["--help"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, readFileSync(`${ROOT}test/fixtures/help.txt`, "utf8"));
    });

    it("an unknown flag exits 2 with one line naming it and nothing is listened on", async () => {
      const r = await runCli(l, ["--addr", "127.0.0.1:0", "--bogus", "cat"]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, "");
      const lines = r.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 2, `expected two lines, got:\n${r.stderr}`);
      assert.match(lines[0], /--bogus/);
      assert.equal(lines[1], "Run 'scalesocket --help' for usage.");
      assert.doesNotMatch(r.stderr, /listening/);
    });

    it("a bad value exits 2 naming the flag and the value", async () => {
      const r = await runCli(l, ["--log=xml", "cat"]);
      assert.equal(r.code, 2);
      const first = r.stderr.split("\n")[0];
      assert.match(first, /--log/);
      assert.match(first, /"xml"/);
    });

    it("a missing command exits 2", async () => {
      const r = await runCli(l, ["--addr", "127.0.0.1:0"]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /Missing command/);
    });

    it("a taken port exits 1 with one line and no stack trace", async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
      const port = (blocker.address() as { port: number }).port;
      try {
        const r = await runCli(l, ["--addr", `127.0.0.1:${port}`, "cat"]);
        assert.equal(r.code, 1, r.stderr);
        const lines = r.stderr.trimEnd().split("\n");
        assert.equal(lines.length, 1, `expected one line, got:\n${r.stderr}`);
        assert.match(lines[0], new RegExp(`Cannot listen on "127\\.0\\.0\\.1:${port}": address`));
      } finally {
        blocker.close();
      }
    });

    for (
      const [title, args] of [
        ["CMD ARGS passes the arguments as given", [CHILD, "args", "--x", "y z"]],
        // If the -- reached the fixture, it would take it as an unknown mode and exit 1.
        ["CMD -- ARGS drops the -- (ScaleSocket's form)", [CHILD, "--", "args", "--x", "y z"]],
      ] as [string, string[]][]
    ) {
      it(title, async () => {
        const s = await launch(l, args);
        const c = await Client.open(s.ws("/argv"));
        assert.deepEqual(JSON.parse(await c.text("the child's argv")), ["--x", "y z"]);
        await c.close();
        await s.stop();
      });
    }
  });
}
