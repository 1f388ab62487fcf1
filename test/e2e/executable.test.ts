// The end-to-end suite against this machine's self-contained executable (`npm run package`).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import process from "node:process";
import { LAUNCHERS, runCli } from "./harness.ts";
import { suite } from "./suite.ts";
import { HOST_EXECUTABLE, staleness } from "../ship/artifacts.ts";

const l = LAUNCHERS.executable;
// Packaging takes half a minute and 600 MB of downloads on a first run, so npm test does not
// package: this runs only after `npm run package` (or `npm run test:ship`) made a current one.
const skip = process.platform === "win32"
  ? "the executable launcher starts it with /usr/bin/env, which Windows lacks"
  : HOST_EXECUTABLE === ""
  ? `no executable is shipped for ${process.platform}-${process.arch}`
  : staleness(HOST_EXECUTABLE);

if (skip) {
  it(`scalesocket on ${l.name}`, { skip }, () => {});
} else {
  suite(l);
  describe("the executable on its own", () => {
    it("needs no node or deno on PATH", async () => {
      const r = await runCli(
        { name: "bare", command: ["/usr/bin/env", "PATH=", HOST_EXECUTABLE] },
        [
          "--version",
        ],
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^scalesocket \d+\.\d+\.\d+/);
    });

    it("ignores NODE_OPTIONS meant for a node on the same machine", async () => {
      const r = await runCli(l, ["--version"], { env: { NODE_OPTIONS: "--require ./missing.js" } });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^scalesocket /);
    });
  });
}
