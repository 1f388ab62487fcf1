// Unit tests for the command line of --restart and --unbuffered.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCli } from "../../src/cli/parse.ts";
import { HELP } from "../../src/cli/help.ts";

test("--restart takes a count of restarts a minute and --unbuffered is a switch", () => {
  const r = parseCli(["--restart", "3", "--unbuffered", "./bot"], "linux");
  assert.equal(r.kind, "run", JSON.stringify(r));
  if (r.kind !== "run") return;
  assert.equal(r.config.restart, 3);
  assert.equal(r.config.unbuffered, true);
});

test("a bad --restart is one usage line naming the flag", () => {
  for (const bad of ["0", "-1", "two", "1.5", ""]) {
    const r = parseCli([`--restart=${bad}`, "./bot"], "linux");
    assert.equal(r.kind, "usage", `--restart=${bad} must be refused`);
    if (r.kind !== "usage") continue;
    assert.match(r.message, /--restart/, "the message names the flag");
    assert.doesNotMatch(r.message, /\n/, "one line");
  }
});

test("--help documents both flags", () => {
  assert.match(HELP, /--restart N/);
  assert.match(HELP, /--unbuffered/);
});
