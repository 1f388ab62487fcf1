// In process: a websocket request with nothing to wait for is admitted within app.fetch's own
// call, so the server can upgrade it (and a new room start its child) in the same turn.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appFor } from "./app-harness.ts";

describe("admission in the request's own turn", () => {
  for (const argv of [["cat"], ["--perconnection", "cat"], ["--cache=5", "--maxrooms=2", "cat"]]) {
    it(`admits before app.fetch returns: ${argv.join(" ")}`, async () => {
      const h = await appFor(argv);
      try {
        const res = await h.handshake("/lobby");
        assert.ok(h.upgraded(res), `refused with ${res.status}`);
        assert.ok(h.admittedAtOnce(res), "the ticket came only after an await");
      } finally {
        h.close();
      }
    });
  }

  it("still refuses in the same turn, with the status a client would get", async () => {
    const h = await appFor(["--maxrooms=1", "cat"]);
    try {
      assert.ok(h.upgraded(await h.handshake("/one")));
      const res = await h.handshake("/two");
      assert.equal(res.status, 429);
      assert.ok(!h.upgraded(res));
    } finally {
      h.close();
    }
  });
});
