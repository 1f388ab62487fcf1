// Every mode through a relaying node: a client on n2 joins a room owned by n1 and gets what a
// client of n1 gets (text, binary, json with _to, gwsocket, --cache replay, --maxrooms 429).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { type Launcher, PY, waitFor } from "../e2e/harness.ts";
import { Client, refusal } from "../e2e/client.ts";
import { startCluster, type TestCluster } from "./nodes.ts";
import { startTcpRelay } from "./tcp-relay.ts";
import { forgedTests } from "./forged.ts";

/**
 * Two-node clusters, one per mode, all started at once before the first test of the describe
 * block this is called in (starting nodes is most of these tests' time). The function it returns
 * registers one cluster and gives access to it once started.
 */
function twoNodeClusters(l: Launcher): (args: string[]) => () => TestCluster {
  const wanted: { args: string[]; cluster?: TestCluster }[] = [];
  before(async () => {
    const started = await Promise.allSettled(wanted.map(async (w) => {
      w.cluster = await startCluster({ launcher: l, size: 2, lease: 3, program: w.args });
    }));
    for (const s of started) if (s.status === "rejected") throw s.reason;
  });
  after(() => Promise.all(wanted.map((w) => w.cluster?.close())));
  return (args) => {
    const w: { args: string[]; cluster?: TestCluster } = { args };
    wanted.push(w);
    return () => w.cluster!;
  };
}

let rooms = 0;
const fresh = (name: string) => `${name}-${++rooms}`;

/** Opens a on n1 (the room's owner from then on), then b on n2, relayed to n1. */
async function ownerAndRelayed(c: TestCluster, path: string): Promise<[Client, Client]> {
  const a = await Client.open(c.nodes[0].ws(path));
  const room = path.slice(1).split(/[/?]/)[0];
  assert.equal(await c.owner(room), "n1", `room ${room} should be owned by n1, where a joined`);
  const b = await Client.open(c.nodes[1].ws(path));
  return [a, b];
}

export function relayModeTests(l: Launcher): void {
  describe("every mode through a relaying node", () => {
    const twoNodes = twoNodeClusters(l);
    describe("text mode through a relay", () => {
      const cluster = twoNodes(["--api", "--joinmsg=join #REMOTE_ADDR #QUERY_name", "cat"]);

      it("gives the relayed client the owner's room: its join, the others' lines and its own", async () => {
        const room = fresh("text");
        const a = await Client.open(cluster().nodes[0].ws(`/${room}?name=a`));
        // Read before b joins, or b may get a's join too (the child echoes it to the whole room).
        assert.equal(await a.text("a's join"), "join 127.0.0.1 a");
        assert.equal(await cluster().owner(room), "n1", "a's node should own the room");
        const b = await Client.open(cluster().nodes[1].ws(`/${room}?name=b`));
        assert.equal(await a.text("b's join, from the real client's query"), "join 127.0.0.1 b");
        assert.equal(await b.text("b's join, on b"), "join 127.0.0.1 b");
        b.send("from b");
        assert.equal(await a.text("b's line, on a"), "from b");
        assert.equal(await b.text("b's line, on b"), "from b");
        a.send("from a");
        assert.equal(await b.text("a's line, on b"), "from a");
        await Promise.all([a.close(), b.close()]);
      });

      it("tells the owner a relayed client's own close code, and 1006 when it vanished", async () => {
        const room = fresh("bye");
        const [n1, n2] = cluster().nodes;
        const a = await Client.open(n1.ws(`/${room}?name=a`));
        await a.text("a's join");
        const b = await Client.open(n2.ws(`/${room}?name=b`));
        await b.text("b's join, on b");
        b.ws.close(4001, "bye");
        // The owner logs each member's end with the code its Membership got.
        const left = (code: number) =>
          new RegExp(`client disconnected room=${room} .*code=${code}`);
        await n1.server.waitForLog(left(4001));
        const c = await Client.open(n2.ws(`/${room}?name=c`));
        await c.text("c's join, on c");
        c.ws.terminate();
        await n1.server.waitForLog(left(1006));
        await a.close();
      });

      it("lists the room on every node with its owner and both clients", async () => {
        const room = fresh("listed");
        const [a, b] = await ownerAndRelayed(cluster(), `/${room}`);
        for (const node of cluster().nodes) {
          let seen = "";
          await waitFor(
            async () => {
              seen = await (await fetch(node.http("/api/rooms"))).text();
              const list = JSON.parse(seen) as {
                name: string;
                node: string;
                connections: number;
              }[];
              const entry = list.find((r) => r.name === room);
              return entry?.node === "n1" && entry.connections === 2;
            },
            `${node.id}'s /api/rooms to show ${room} on n1 with 2 clients`,
            20_000,
          ).catch((err) => {
            throw new Error(`${err.message}; last seen: ${seen}`);
          });
        }
        await Promise.all([a.close(), b.close()]);
      });

      forgedTests(cluster);
    });

    describe("--binary through a relay", () => {
      const cluster = twoNodes(["--binary", "cat"]);

      it("passes binary frames both ways, byte for byte", async () => {
        const [a, b] = await ownerAndRelayed(cluster(), `/${fresh("bin")}`);
        const bytes = Buffer.from([0, 1, 2, 254, 255, 10, 13]);
        b.send(bytes);
        for (const [c, who] of [[a, "a"], [b, "b"]] as const) {
          const m = await c.next(`b's bytes on ${who}`);
          assert.ok(m.binary, `${who} should get a binary frame`);
          assert.deepEqual(
            Buffer.from(m.data as Buffer),
            bytes,
            `${who} should get b's exact bytes`,
          );
        }
        await Promise.all([a.close(), b.close()]);
      });
    });

    describe("--json through a relay", () => {
      const cluster = twoNodes(["--json", ...PY, "game"]);

      it("delivers _to lines to the relayed client alone, with an id the owner gave it", async () => {
        const path = `/${fresh("game")}`;
        const a = await Client.open(cluster().nodes[0].ws(path));
        const idA = Number((await a.text("a's state")).match(/"you":(\d+)/)?.[1]);
        await a.text("a's joined line");
        const b = await Client.open(cluster().nodes[1].ws(path));
        const state = await b.text("b's own state, through the relay");
        const idB = Number(state.match(/"you":(\d+)/)?.[1]);
        assert.notEqual(idB, idA, "the owner should give the relayed client an id of its own");
        assert.equal(state, `{"_to":${idB},"state":{"you":${idB},"players":[${idA},${idB}]}}`);
        assert.equal(await b.text("b's joined line"), `{"t":"joined","id":${idB}}`);
        assert.equal(
          await a.text("b's joined line, on a, not b's state"),
          `{"t":"joined","id":${idB}}`,
        );
        a.send(JSON.stringify({ t: "whisper", to: [idB], text: "psst" }));
        assert.equal(
          await b.text("a's whisper"),
          `{"_to":[${idB}],"t":"whisper","by":${idA},"text":"psst"}`,
        );
        b.send('{"t":"move","move":"e4"}');
        const moved = `{"t":"moved","by":${idB},"move":"e4"}`;
        assert.equal(await a.text("b's move on a (the whisper went to b alone)"), moved);
        assert.equal(await b.text("b's move on b"), moved);
        await Promise.all([a.close(), b.close()]);
      });
    });

    describe("gwsocket framing through a relay", () => {
      const cluster = twoNodes(["--frame=gwsocket", ...PY, "gwsocket"]);

      it("announces the relayed client with the real address and answers it alone", async () => {
        const path = `/${fresh("gw")}`;
        const a = await Client.open(cluster().nodes[0].ws(path));
        // Read before b joins: the child announces a to everyone in the room when it gets to it.
        const idA = Number(
          (await a.text("a's joined frame")).match(/^joined (\d+) 127\.0\.0\.1$/)?.[1],
        );
        const b = await Client.open(cluster().nodes[1].ws(path));
        const joinedB = await b.text("b's joined frame");
        const idB = Number(joinedB.match(/^joined (\d+) 127\.0\.0\.1$/)?.[1]);
        assert.ok(idB > 0 && idB !== idA, `b should get an id of its own, got ${joinedB}`);
        assert.equal(await a.text("b's joined frame, on a"), joinedB);
        b.send("for b");
        assert.equal(await b.text("b's echo"), "for b");
        a.send("for a");
        assert.equal(await a.text("a's echo, and not b's"), "for a");
        await b.close();
        assert.equal(await a.text("b's close, announced"), `left ${idB}`);
        await a.close();
      });
    });

    describe("--cache through a relay", () => {
      const cluster = twoNodes(["--cache=3", "cat"]);

      it("replays the room's last lines to a client that joins through a relay", async () => {
        const path = `/${fresh("cache")}`;
        const a = await Client.open(cluster().nodes[0].ws(path));
        for (const line of ["1", "2", "3", "4"]) a.send(line);
        assert.deepEqual(await a.texts(4), ["1", "2", "3", "4"]);
        const b = await Client.open(cluster().nodes[1].ws(path));
        assert.deepEqual(await b.texts(3), ["2", "3", "4"], "b should get the last three lines");
        await Promise.all([a.close(), b.close()]);
      });
    });

    describe("--maxrooms through a relay", () => {
      const cluster = twoNodes(["--maxrooms=1", "cat"]);

      it("gives the relayed client the owner's 429 when the owner is full", async () => {
        const c = cluster();
        const [n1, n2] = c.nodes;
        const a = await Client.open(n1.ws(`/${fresh("full")}`));
        const direct = await refusal(n1.ws(`/${fresh("direct")}`));
        assert.equal(direct.status, 429, "n1 is full: a new room there gets 429 directly");
        // n2 must be sent to n1 for a room n1 will then find free in Redis and claim itself: a
        // lease naming a gate in front of n1 holds n2's handshake until the lease is gone.
        const gate = await startTcpRelay(n1.port);
        try {
          gate.pause();
          const room = fresh("relayed");
          await c.link.client.set(
            `ss:{${room}}:lease`,
            `1|ghost|127.0.0.1:${gate.port}`,
            "PX",
            60_000,
          );
          const refused = refusal(n2.ws(`/${room}`));
          await waitFor(() => gate.connections > 0, "n2 to dial the room's owner");
          await c.link.client.del(`ss:{${room}}:lease`);
          gate.resume();
          const r = await refused;
          assert.equal(
            r.status,
            429,
            `the owner's 429 should reach the client, got ${r.status} ${r.body}`,
          );
        } finally {
          await gate.close();
          await a.close();
        }
      });
    });
  });
}
