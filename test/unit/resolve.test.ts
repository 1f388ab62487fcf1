// Unit tests for finding a bare command on the server's PATH, and finding it again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { knownCommand, resolveCommand } from "../../src/runtime/resolve.ts";

test("a command found on PATH is known afterwards without a second walk along PATH", async () => {
  const path = "/unit-a:/unit-b";
  const looked: string[] = [];
  const found = await resolveCommand("prog", path, (p) => {
    looked.push(p);
    return Promise.resolve(p === "/unit-b/prog");
  });
  assert.equal(found, "/unit-b/prog", `looked at ${looked.join(", ")}`);
  const checked: string[] = [];
  const known = knownCommand("prog", path, (p) => (checked.push(p), true));
  assert.equal(known, "/unit-b/prog", "the path found before was not offered again");
  assert.deepEqual(checked, ["/unit-b/prog"], "more than the known path was checked");
});

test("a known command that is no longer executable is not offered, so PATH is walked again", () => {
  assert.equal(knownCommand("prog", "/unit-a:/unit-b", () => false), undefined);
});

test("a command never found, or found on another PATH, is not known", () => {
  assert.equal(knownCommand("never-found", "/unit-a:/unit-b", () => true), undefined);
  assert.equal(knownCommand("prog", "/elsewhere", () => true), undefined);
});
