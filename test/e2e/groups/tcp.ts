// End to end: --tcp (S6): the child gets PORT, and messages go over TCP instead of stdio.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { launch, type Launcher, PY } from "../harness.ts";
import { Client, refusal } from "../client.ts";

/**
 * A fresh range of ports for each test, below Linux's ephemeral ports, and apart for each test
 * process, so the Node and Deno suites running side by side never pick the same ones.
 */
let next = 20_000 + (process.pid % 1_000) * 12;
function ports(n: number): { start: number; flag: string } {
  const start = next;
  next += n;
  return { start, flag: `--tcpports=${start}:${start + n - 1}` };
}

export function tcpTests(l: Launcher): void {
  describe("tcp mode", () => {
    it("clients of a room share its child over TCP while its stdout is drained", async () => {
      const { start, flag } = ports(2);
      const s = await launch(l, ["--tcp", flag, ...PY, "tcp-echo"]);
      const a = await Client.open(s.ws("/r"));
      assert.equal(await a.text("the child's greeting"), `port ${start}`);
      const b = await Client.open(s.ws("/r"));
      a.send("hello");
      assert.equal(await a.text(), "hello");
      assert.equal(await b.text(), "hello");
      b.send("from b");
      assert.equal(await a.text(), "from b");
      // All 256 lines of chatter were read (the child wrote them before listening).
      await s.waitForLog(/chatter 255 .*stream=stdout/);
      await s.waitForLog(/echoed from b/);
      await a.close();
      await b.close();
      await s.stop();
    });

    it("rooms get the lowest free ports, and a port is reused once its room ended", async () => {
      const { start, flag } = ports(3);
      const s = await launch(l, ["--tcp", flag, ...PY, "tcp-echo", "0.1"]);
      const one = await Client.open(s.ws("/one"));
      assert.equal(await one.text(), `port ${start}`);
      const two = await Client.open(s.ws("/two"));
      assert.equal(await two.text(), `port ${start + 1}`);
      await one.close();
      await s.waitForLog(/process exited room=one /);
      const three = await Client.open(s.ws("/three"));
      assert.equal(await three.text(), `port ${start}`);
      three.send("on a reused port");
      assert.equal(await three.text(), "on a reused port");
      await two.close();
      await three.close();
      await s.stop();
    });

    it("with every port held, a new room gets 503 before the upgrade and the server goes on", async () => {
      const { start, flag } = ports(1);
      const s = await launch(l, ["--tcp", flag, ...PY, "tcp-echo", "0.1"]);
      const one = await Client.open(s.ws("/one"));
      assert.equal(await one.text(), `port ${start}`);
      const refused = await refusal(s.ws("/two"));
      assert.equal(refused.status, 503);
      assert.match(refused.body, /No free port/);
      one.send("still here");
      assert.equal(await one.text(), "still here");
      assert.equal((await fetch(s.http("/health"))).status, 200);
      await one.close();
      await s.waitForLog(/process exited room=one /);
      const two = await Client.open(s.ws("/two"));
      assert.equal(await two.text(), `port ${start}`);
      await two.close();
      await s.stop();
    });

    it("a child that never listens has its clients closed with 1011 after --delay", async () => {
      const { start, flag } = ports(1);
      const s = await launch(l, ["--tcp", flag, "--delay", "0.5", ...PY, "noread"]);
      const opened = Date.now();
      const a = await Client.open(s.ws("/deaf"));
      const closed = await a.closedWithin();
      assert.ok(Date.now() - opened >= 450, "closed before the deadline");
      assert.equal(closed.code, 1011);
      assert.equal(closed.reason, `process did not listen on port ${start} within 0.5 s`);
      await s.waitForLog(/process exited room=deaf /);
      assert.equal((await fetch(s.http("/health"))).status, 200);
      await s.stop();
    });

    it("--json frames messages over TCP as over stdio", async () => {
      const { start, flag } = ports(1);
      const s = await launch(l, ["--tcp", flag, "--json", ...PY, "tcp-echo", "0.1"]);
      const a = await Client.open(s.ws("/j"));
      assert.equal(await a.text(), `port ${start}`, "a line that is not JSON goes to everyone");
      assert.deepEqual(JSON.parse(await a.text()), { t: "Join", _from: 1 });
      a.send('{"move":"e4","_from":99}');
      assert.deepEqual(JSON.parse(await a.text()), { move: "e4", _from: 1 });
      a.send("not json");
      a.send('{"n":12345678901234567890}');
      assert.equal(await a.text(), '{"n":12345678901234567890,"_from":1}');
      await a.close();
      await s.stop();
    });
  });
}
