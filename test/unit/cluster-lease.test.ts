// Unit tests of the lease value and key formats the Redis scripts rely on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLease, roomKey } from "../../src/cluster/lease.ts";

test("a lease value splits into epoch, node and advertise address", () => {
  assert.deepEqual(parseLease("1796463209123|node-1|10.0.0.7:9000"), {
    epoch: 1796463209123,
    node: "node-1",
    advertise: "10.0.0.7:9000",
    value: "1796463209123|node-1|10.0.0.7:9000",
  });
  assert.equal(parseLease("5|a|b|[::1]:9000")?.node, "a|b", "the node id keeps inner bars");
  assert.equal(parseLease("5|a|b|[::1]:9000")?.advertise, "[::1]:9000");
});

test("values that are not leases of ours are refused", () => {
  for (const value of ["", "x|a|b", "0|a|b", "-3|a|b", "5|ab", "|a|b", "1e3|a|b", "1.5|a|b"]) {
    assert.equal(parseLease(value), null, `${JSON.stringify(value)} should not parse`);
  }
});

test("room keys percent-encode the name inside one hash tag", () => {
  assert.equal(roomKey("ss:", "lobby", "lease"), "ss:{lobby}:lease");
  assert.equal(roomKey("p:", "a}b{c d", "epoch"), "p:{a%7Db%7Bc%20d}:epoch");
  assert.equal(roomKey("ss:", "ä", "info"), "ss:{%C3%A4}:info");
});
