// --resume through a relaying node: a relayed client whose connection is cut is kept by the
// room's owner (the relay reports it as vanished, 1006) and returns through the relay.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { LAUNCHERS, PY, stopAll } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { resumed, welcomed } from "../e2e/groups/resume-util.ts";
import { startCluster, type TestCluster } from "./nodes.ts";

let cluster: TestCluster;
before(async () => {
  cluster = await startCluster({
    launcher: LAUNCHERS.node,
    size: 2,
    lease: 3,
    program: ["--json", "--resume", "30", ...PY, "presence"],
  });
});
after(async () => {
  await cluster?.close();
  await stopAll();
});

test("a relayed client cut off returns through the relay with what it missed, and the owner's program sees no leave", async () => {
  const [n1, n2] = cluster.nodes;
  const w = await Client.open(n1.ws("/trip"));
  const wid = Number(/^\{"t":"joined","id":(\d+)\}$/.exec(await w.text("w's join"))?.[1]);
  assert.equal(await cluster.owner("trip"), "n1", "the watcher's node owns the room");
  const a = await welcomed(n2.ws("/trip"));
  const id = a.greeting.id;
  assert.equal(await a.text("a's join, through the relay"), `{"t":"joined","id":${id}}`);
  assert.equal(await w.text("a's join, on the owner"), `{"t":"joined","id":${id}}`);
  await a.cut();
  await n1.server.waitForLog(new RegExp(`client dropped, membership kept room=trip id=${id}\\b`));
  // Said while a is away, for a only; then the watcher's echo shows the program has said it.
  w.send(JSON.stringify({ t: "count", n: 3, to: id }));
  w.send(JSON.stringify({ t: "ping" }));
  assert.match(await w.text("w's echo"), new RegExp(`^\\{"_to":${wid},"echo"`));
  const b = await resumed(n2.ws("/trip"), a);
  assert.equal(b.greeting.id, id);
  assert.equal(b.greeting.missed, 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(await b.text(`missed line ${i}`), `{"_to":${id},"i":${i}}`);
  }
  await b.c.close();
  assert.equal(await w.text("the leave after the clean close"), `{"t":"left","id":${id}}`);
  await w.close();
});
