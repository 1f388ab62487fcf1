// Unit tests of the --cluster URL check and of the password redaction used in every log line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkRedisUrl, redactUrl } from "../../src/cluster/url.ts";

test("redis and rediss URLs with user, password and database are accepted", () => {
  for (
    const url of [
      "redis://127.0.0.1:6379",
      "redis://redis",
      "redis://:secret@redis:6379/2",
      "rediss://user:secret@redis.example.com:6380/0",
    ]
  ) assert.equal(checkRedisUrl(url), null, `${url} should be accepted`);
});

test("other schemes, missing hosts and non-numeric databases are refused with a reason", () => {
  assert.match(checkRedisUrl("http://redis:6379") ?? "", /expected redis:\/\/ or rediss:\/\//);
  assert.match(checkRedisUrl("redis:6379") ?? "", /expected redis|no host/);
  assert.match(checkRedisUrl("redis://") ?? "", /no host/);
  assert.match(checkRedisUrl("redis://h/abc") ?? "", /database must be a number, got "abc"/);
  assert.match(checkRedisUrl("redis://h?db=1") ?? "", /query/);
  assert.match(checkRedisUrl("not a url") ?? "", /not a URL/);
});

test("a refusal never repeats the password", () => {
  const reason = checkRedisUrl("redis://u:hunter2@h/x") ?? "";
  assert.ok(!reason.includes("hunter2"), `reason ${reason} leaks the password`);
  const unparsable = checkRedisUrl("::hunter2@h") ?? "";
  assert.ok(!unparsable.includes("hunter2"), `reason ${unparsable} leaks the password`);
});

test("redactUrl replaces the password and keeps the rest", () => {
  assert.equal(redactUrl("redis://user:hunter2@h:6379/1"), "redis://user:***@h:6379/1");
  assert.equal(redactUrl("redis://:hunter2@h"), "redis://:***@h");
  assert.equal(redactUrl("redis://h:6379"), "redis://h:6379");
  assert.equal(redactUrl("garbage:hunter2@h"), "***@h");
});
