// Authentication across nodes: the node a client reaches verifies it, the owner trusts the
// identity in the signed relay fields, and a request posing as a relay is refused.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, LAUNCHERS, PY, type Running, waitFor } from "../e2e/harness.ts";
import { Client, Refused } from "../e2e/client.ts";
import { refused, SECRET, token } from "../e2e/groups/auth-util.ts";
import { freePort, type RedisServer, startRedis } from "./redis.ts";

describe("authentication in a cluster", () => {
  let redis: RedisServer;
  const nodes: Running[] = [];
  before(async () => {
    redis = await startRedis();
    for (const name of ["a", "b"]) {
      const port = await freePort();
      nodes.push(
        await launch(LAUNCHERS.node, [
          "--addr",
          `127.0.0.1:${port}`,
          "--cluster",
          redis.url,
          "--advertise",
          `127.0.0.1:${port}`,
          "--node-id",
          name,
          "--lease",
          "1",
          "--json",
          ...PY,
          "echo",
        ], {
          env: {
            SCALESOCKET_CLUSTER_SECRET: "cluster-secret-0123456789",
            SCALESOCKET_JWT_SECRET: SECRET,
          },
        }),
      );
    }
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.stop();
  });

  it("a relayed client joins the owner's room as the user its own node verified", async () => {
    const [a, b] = nodes;
    const t = await token({ sub: "ada" });
    const ada = await openOnceClaimable(a.ws(`/lab?token=${t}`));
    assert.deepEqual(JSON.parse(await ada.text("ada's join")), {
      t: "Join",
      _from: 1,
      _user: "ada",
    });
    const bob = await Client.open(b.ws("/lab"), {
      Authorization: `Bearer ${await token({ sub: "bob", info: { via: "b" } })}`,
    });
    assert.deepEqual(JSON.parse(await ada.text("bob's join, relayed by node b")), {
      t: "Join",
      _from: 2,
      _user: "bob",
      _info: { via: "b" },
    });
    await refused(b.ws("/lab"), 401, {}, /no token/);
    await Promise.all([bob.close(), ada.close()]);
  });

  it("a request posing as a relay without the cluster secret is refused", async () => {
    await refused(nodes[0].ws("/lab"), 403, {
      "X-Scalesocket-Forwarded": "eyJ1c2VyIjoiZXZlIn0",
      "X-Scalesocket-Signature": "AAAA",
    });
  });
});

/** A fresh Redis is quiet for one lease (a room may still run elsewhere): opens after that. */
async function openOnceClaimable(url: string): Promise<Client> {
  let client: Client | null = null;
  await waitFor(async () => {
    client = await Client.open(url).catch((e) => {
      if (e instanceof Refused && e.status === 503) return null;
      throw e;
    });
    return client !== null;
  }, "the cluster to take new rooms");
  return client!;
}
