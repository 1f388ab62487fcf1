// Unit tests for spawn failure messages: a missing "#!" interpreter is named, not "file not found".
import { test } from "node:test";
import assert from "node:assert/strict";
import { interpreterOf, spawnFailure } from "../../src/runtime/errors.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const reads = (text: string | null) => () => Promise.resolve(text === null ? null : bytes(text));

test("a missing interpreter is named with the command as given", async () => {
  const message = await spawnFailure(
    "./count.py",
    "/x/count.py",
    "ENOENT",
    reads("#!/usr/bin/python\n"),
  );
  assert.equal(message, 'Cannot spawn "./count.py": interpreter "/usr/bin/python" not found');
  const deno = await spawnFailure("./a.sh", "./a.sh", "NotFound", reads("#! /bin/nosh -e\n"));
  assert.equal(deno, 'Cannot spawn "./a.sh": interpreter "/bin/nosh" not found', "Deno's name");
});

test("a file that is missing or has no #! line is reported as not found", async () => {
  const none = await spawnFailure("./gone", "./gone", "ENOENT", reads(null));
  assert.equal(none, 'Cannot spawn "./gone": file not found');
  const elf = await spawnFailure("./bin", "./bin", "ENOENT", reads("\x7fELF"));
  assert.equal(elf, 'Cannot spawn "./bin": file not found');
});

test("other failures keep their reason and never read the file", async () => {
  const unread = () => Promise.reject(new Error("read although the reason was not 'not found'"));
  assert.equal(
    await spawnFailure("./x", "./x", "EACCES", unread),
    'Cannot spawn "./x": permission denied',
  );
});

test("the interpreter is the first word after #!, a Windows \\r kept as the system sees it", () => {
  assert.equal(interpreterOf(bytes("#!/usr/bin/env python3\nprint()")), "/usr/bin/env");
  assert.equal(interpreterOf(bytes("#!/bin/sh\r\n")), "/bin/sh\r");
  assert.equal(interpreterOf(bytes("#!\n")), null);
  assert.equal(interpreterOf(bytes("# comment")), null);
  assert.equal(interpreterOf(null), null);
});
