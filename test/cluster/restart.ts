// --restart in a cluster: a crashed room's new process runs on the same node, under the same
// lease and epoch, and a client relayed from another node stays connected through it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Launcher, PY } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { clusterHooks, type TestCluster } from "./nodes.ts";

interface Echo {
  pid: number;
  epoch: string | null;
  got: unknown;
}

const echo = async (c: Client, what: string): Promise<Echo> => JSON.parse(await c.text(what));

export function restartTests(l: Launcher): void {
  describe("a crashed room restarted in a cluster", () => {
    let c: TestCluster;
    // A long lease: nothing here fails over, and a busy machine must not stop a room.
    clusterHooks({
      launcher: l,
      size: 2,
      lease: 5,
      seeded: true,
      flags: ["--json", "--restart", "2"],
      program: [...PY, "crashy"],
    }, (started) => c = started);

    it("keeps its lease and epoch, and its relayed client", async () => {
      const [owner, other] = c.nodes;
      const a = await Client.open(owner.ws("/crashing"));
      const before = await echo(a, "a's join, echoed");
      assert.ok(before.epoch, "the child has an epoch");
      const b = await Client.open(other.ws("/crashing"));
      assert.deepEqual((await echo(a, "b's join")).got, { t: "Join", _from: 2 });
      assert.deepEqual((await echo(b, "b's join, relayed")).got, { t: "Join", _from: 2 });
      a.send('{"crash":true}');
      for (const [client, name] of [[a, "a"], [b, "the relayed b"]] as const) {
        assert.equal(await client.text(`${name}'s restart notice`), '{"t":"Restart"}');
        const joins = [await echo(client, "a join"), await echo(client, "a join")];
        assert.deepEqual(joins.map((j) => j.got), [{ t: "Join", _from: 1 }, {
          t: "Join",
          _from: 2,
        }]);
        assert.notEqual(joins[0].pid, before.pid, `${name}: a new process answers`);
        assert.equal(joins[0].epoch, before.epoch, `${name}: the same epoch`);
      }
      assert.equal(await c.owner("crashing"), owner.id, "the lease stayed with its node");
      const claims = owner.server.stderr().match(/room claimed.*crashing/g) ?? [];
      assert.equal(claims.length, 1, `one claim, none for the restart:\n${c.logs()}`);
      await Promise.all([a.close(), b.close()]);
    });
  });
}
