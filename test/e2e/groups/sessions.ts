// End to end: sessions that survive a crash (--restart), slow clients told why (1008), and
// output that never arrives (--unbuffered).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import process from "node:process";
import { launch, type Launcher, PY, PYTHON } from "../harness.ts";
import { Client } from "../client.ts";
import { RawConn } from "../../hostile/raw.ts";

const MiB = 1024 * 1024;

/** The pid and the object a "crashy" child echoed. */
async function echo(c: Client, what: string): Promise<{ pid: number; got: unknown }> {
  return JSON.parse(await c.text(what));
}

export function sessionTests(l: Launcher): void {
  describe("sessions that survive", () => {
    it("a program crashing twice under --restart 3 keeps its clients; the third hears their joins", async () => {
      const s = await launch(l, ["--json", "--restart", "3", "--metrics", ...PY, "crashy"]);
      const a = await Client.open(s.ws("/crash"));
      const first = await echo(a, "a's join, echoed");
      const b = await Client.open(s.ws("/crash"));
      assert.deepEqual((await echo(a, "b's join, on a")).got, { t: "Join", _from: 2 });
      await b.next("b's join, on b");
      const pids = [first.pid];
      for (const round of [1, 2]) {
        a.send('{"crash":true}');
        const answering: number[] = [];
        for (const c of [a, b]) {
          assert.equal(await c.text(`the restart notice ${round}`), '{"t":"Restart"}');
          const joins = [await echo(c, "a join"), await echo(c, "a join")];
          assert.deepEqual(joins.map((j) => j.got), [
            { t: "Join", _from: 1 },
            { t: "Join", _from: 2 },
          ], `restart ${round}: the new process hears of both clients, in id order`);
          assert.ok(!pids.includes(joins[0].pid), `restart ${round}: a new process answers`);
          answering.push(joins[0].pid);
        }
        assert.equal(answering[0], answering[1], "one process for the room");
        pids.push(answering[0]);
      }
      b.send('{"still":"here"}');
      assert.deepEqual((await echo(a, "b's message")).got, { still: "here", _from: 2 });
      await s.waitForLog(/restarting the process: process exited with code 3/);
      const metrics = await (await fetch(s.http("/metrics"))).text();
      assert.match(metrics, /^scalesocket_process_restarts_total 2$/m);
      await Promise.all([a.close(), b.close()]);
    });

    it("a stalled client past --maxbuffer finds the 1008 close frame within a few MB", async (t) => {
      // --maxbuffer 32m: a server that sent the close frame behind its whole backlog would
      // make the client read 32 MiB and more first (or cut it off before it got that far);
      // what the kernel's buffers hold comes first either way (4 MiB here, on loopback).
      const s = await launch(l, ["--maxbuffer", "32m", ...PY, "query"]);
      const flood = new URLSearchParams([["mode", "flood"], ["arg", "6000"], ["arg", "16384"]]);
      const idle = await RawConn.upgrade(s.port, `/slow?${flood}`);
      idle.socket.pause();
      await s.waitForLog(/closing client: client too slow/);
      idle.socket.resume();
      const e = await idle.ending();
      idle.destroy();
      const bytes = e.frames.reduce((n, f) => n + f.payload.byteLength, 0);
      const got = `${(bytes / MiB).toFixed(1)} MiB, then ${e.code} (tcp ${e.tcp})`;
      t.diagnostic(`the stalled client read ${got}`);
      assert.deepEqual([e.code, e.reason], [1008, "client too slow"], `no close frame: ${got}`);
      assert.ok(bytes < 12 * MiB, `the close frame came only after ${got}`);
    });
  });

  describe("output that never arrives", () => {
    // stdbuf is what makes a C program line-buffered; without it the test has nothing to show.
    const stdbuf = process.platform === "linux" && existsSync("/usr/bin/stdbuf");

    it(
      "under --unbuffered a stdio program (sed) answers each line at once",
      { skip: !stdbuf },
      async () => {
        const s = await launch(l, ["--unbuffered", "sed", "s/^/sed: /"]);
        const c = await Client.open(s.ws("/sed"));
        for (const word of ["one", "two"]) {
          c.send(word);
          assert.equal(await c.text(`sed's answer to ${word}`), `sed: ${word}`);
        }
        await c.close();
      },
    );

    it("under --unbuffered a Python program's print arrives at once", async () => {
      const program = "import sys\nfor line in sys.stdin: print('py:', line.strip())";
      const s = await launch(l, ["--unbuffered", PYTHON, "-c", program]);
      const c = await Client.open(s.ws("/py"));
      c.send("hello");
      assert.equal(await c.text("python's answer"), "py: hello");
      await c.close();
    });

    it("under --unbuffered a missing program is still named in the close reason", async () => {
      const s = await launch(l, ["--unbuffered", "./no-such-program"]);
      const c = await Client.open(s.ws("/gone"));
      const reason = 'Cannot spawn "./no-such-program": file not found';
      assert.deepEqual(await c.closedWithin(), { code: 1011, reason });
    });
  });
}
