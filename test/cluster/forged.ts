// A connection that claims to come from a relaying node is refused with 403 unless it carries a
// fresh signature made with the cluster's secret; a genuine one is treated as the real client.
import { it } from "node:test";
import assert from "node:assert/strict";
import { signForwarded, signingKey } from "../../src/cluster/sign.ts";
import { Client, refusal } from "../e2e/client.ts";
import { SECRET, type TestCluster } from "./nodes.ts";

let rooms = 0;

/** Relay headers for path as node n2 would send them, signed with secret at time now. */
async function relayHeaders(path: string, secret = SECRET, now = Date.now()) {
  return await signForwarded(await signingKey(secret), {
    address: "10.9.8.7",
    port: 4242,
    url: path,
    headers: [["user-agent", "forged-test"]],
    identity: null,
    node: "n2",
  }, now);
}

/** Tests for a cluster of at least two nodes running `--joinmsg=join #REMOTE_ADDR #QUERY_name cat`. */
export function forgedTests(cluster: () => TestCluster): void {
  const path = () => `/forged-${++rooms}?name=z`;

  it("refuses with 403 a forwarded connection whose signature is not the MAC of its fields", async () => {
    const p = path();
    const headers = await relayHeaders(p);
    headers["x-scalesocket-signature"] = headers["x-scalesocket-signature"].replace(
      /^./,
      (c) => c === "A" ? "B" : "A",
    );
    const r = await refusal(cluster().nodes[0].ws(p), headers);
    assert.equal(r.status, 403, `a bad signature should be refused before the upgrade: ${r.body}`);
  });

  it("refuses with 403 a forwarded connection signed with another cluster's secret", async () => {
    const p = path();
    const r = await refusal(
      cluster().nodes[0].ws(p),
      await relayHeaders(p, "another-cluster-secret-000"),
    );
    assert.equal(r.status, 403, `another secret's signature should be refused: ${r.body}`);
  });

  it("refuses with 403 a forwarded connection signed a minute ago (a replay)", async () => {
    const p = path();
    const r = await refusal(
      cluster().nodes[0].ws(p),
      await relayHeaders(p, SECRET, Date.now() - 60_000),
    );
    assert.equal(r.status, 403, `a stale signature should be refused: ${r.body}`);
  });

  it("refuses with 403 relay headers without a signature, on a node that would relay them", async () => {
    const c = cluster();
    const room = `forged-${++rooms}`;
    const a = await Client.open(c.nodes[0].ws(`/${room}`));
    const headers = await relayHeaders(`/${room}`);
    delete headers["x-scalesocket-signature"];
    const r = await refusal(c.nodes[1].ws(`/${room}`), headers);
    assert.equal(r.status, 403, `half a relay header pair should be refused: ${r.body}`);
    await a.close();
  });

  it("refuses with 403 a cluster link signed with another cluster's secret", async () => {
    const p = path();
    const fields = { address: "", port: 0, url: p, headers: [], identity: null, node: "n9" };
    const key = await signingKey("another-cluster-secret-000");
    const headers = await signForwarded(key, fields, Date.now(), "link");
    const r = await refusal(cluster().nodes[0].ws(p), headers);
    assert.equal(r.status, 403, `a link must carry this cluster's signature: ${r.body}`);
  });

  it("takes a genuinely signed forwarded connection as the real client it describes", async () => {
    const p = path();
    const c = await Client.open(cluster().nodes[0].ws(p), await relayHeaders(p));
    assert.equal(
      await c.text("the join of the forwarded client"),
      "join 10.9.8.7 z",
      "the child should see the signed address, not the relaying socket's",
    );
    await c.close();
  });
}
