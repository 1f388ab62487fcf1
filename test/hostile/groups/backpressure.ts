// S4 under pressure: slow readers, a child that does not read, a line that never ends, huge
// client messages. Memory stays bounded (server RSS from /proc, sampled every 50 ms), readers
// that keep up get everything in order, and nothing deadlocks.
//
// The bound asserted is GROWTH MiB over the RSS after a warm-up, while several times that much
// data goes through: a server that buffered the flood would blow well past it. Where the data
// goes is bounded by --maxbuffer per slow client and per room's input, --maxframesize (+1 byte)
// per unfinished output line, plus the kernel's socket buffers and garbage not yet collected.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../../e2e/harness.ts";
import { Client } from "../../e2e/client.ts";
import { frameHeader, OP, RawConn } from "../raw.ts";
import { Bystander, sleep, stopWithin } from "../common.ts";
import { rssMiB, rssSampler } from "../proc.ts";

const MiB = 2 ** 20;
const GROWTH = 100;

/** A fresh room running fixture mode with args (the fixture's query mode). */
let rooms = 0;
function room(mode: string, ...args: (string | number)[]): string {
  const q = new URLSearchParams([["mode", mode], ...args.map((a) => ["arg", String(a)])]);
  return `/bp-${++rooms}?${q}`;
}

/** Starts the server and runs one echo through it, so the RSS baseline is a warm server. */
async function warmServer(l: Launcher, args: string[]): Promise<Running> {
  const s = await launch(l, [...args, ...PY, "query"]);
  const c = await Client.open(s.ws(room("echo")));
  c.send("warm");
  await c.text("the warm-up echo");
  await c.close();
  return s;
}

export function backpressureTests(l: Launcher): void {
  describe("backpressure and memory", () => {
    let s: Running;
    let by: Bystander;
    before(async () => {
      s = await warmServer(l, ["--maxbuffer", "1m", "--maxframesize", "64k"]);
      by = await Bystander.join(s, room("echo"));
    });
    after(async () => {
      await by?.close();
      await stopWithin(s);
    });

    it("a client that never reads is closed while a reader gets 200 MiB in order", async (t) => {
      // Bursts of 512 KiB, half of --maxbuffer: Deno counts bytes it has not yet handed to the
      // kernel as backlog, so a burst over --maxbuffer can close even a prompt reader there.
      const LINES = 8;
      const SIZE = 64 * 1024 - 16; // a line and its number stay under --maxframesize
      const BURSTS = 400;
      const path = room("bursts", LINES, SIZE);
      const start = rssMiB(s.pid);
      const peak = rssSampler(s.pid, 50);
      const reader = await Client.open(s.ws(path));
      const idle = await RawConn.upgrade(s.port, path);
      idle.socket.pause();
      let n = 0;
      for (let b = 0; b < BURSTS; b++) {
        reader.send("more");
        for (let i = 0; i < LINES; i++, n++) {
          const line = await reader.text(`line ${n}`);
          const space = line.indexOf(" ");
          assert.equal(line.slice(0, space), String(n), "lines out of order");
          assert.equal(line.length - space - 1, SIZE, `line ${n} cut short`);
        }
      }
      const grew = peak.stop() - start;
      t.diagnostic(`server RSS +${grew.toFixed(0)} MiB at its peak`);
      await s.waitForLog(/closing client: client too slow/, 5_000);
      idle.socket.resume();
      const e = await idle.ending(5_000);
      idle.destroy();
      // It gets the close frame behind its backlog, unless Node cut it off first (2 s later).
      assert.ok(e.code === 1008 || e.tcp !== "open", `the idle client: ${JSON.stringify(e.code)}`);
      if (e.code !== null) assert.equal(e.reason, "client too slow");
      assert.ok(grew < GROWTH, `RSS grew ${grew.toFixed(0)} MiB passing 200 MiB to two clients`);
      await reader.close();
      await by.roundTrip("the flood");
    });

    it("a child that never reads: flooding clients are closed, memory bounded, child stopped", async (t) => {
      const path = room("pid-noread");
      const start = rssMiB(s.pid);
      const peak = rssSampler(s.pid, 50);
      const clients = await Promise.all([1, 2, 3].map(() => Client.open(s.ws(path))));
      const pid = Number(await clients[0].text("the child's pid"));
      const chunk = Buffer.alloc(60_000, 0x61);
      const began = Date.now();
      const results = await Promise.all(clients.map(async (c) => {
        let sent = 0;
        let closed = false;
        void c.closed.then(() => closed = true);
        // Bounded: 64 MiB or 10 s per client, whichever comes first.
        while (!closed && sent < 64 * MiB && Date.now() - began < 10_000) {
          if (c.ws.bufferedAmount > 4 * MiB) {
            await sleep(5);
            continue;
          }
          c.send(chunk);
          sent += chunk.length;
          if (sent % (20 * chunk.length) === 0) await new Promise((r) => setImmediate(r));
        }
        return { sent, ...(await c.closedWithin(10_000)) };
      }));
      const grew = peak.stop() - start;
      t.diagnostic(`server RSS +${grew.toFixed(0)} MiB at its peak`);
      for (const r of results) {
        assert.equal(r.code, 1008, `a flooding client was closed with ${r.code} ${r.reason}`);
        assert.ok(r.sent < 64 * MiB, `a client sent ${r.sent} bytes before it was stopped`);
        t.diagnostic(`a flooding client sent ${(r.sent / MiB).toFixed(1)} MiB before its 1008`);
      }
      assert.ok(grew < GROWTH, `RSS grew ${grew.toFixed(0)} MiB`);
      await waitFor(
        () => !alive(pid),
        "the child to be stopped once its clients were closed",
        8_000,
      );
      await by.roundTrip("the input flood");
    });

    it("a flooding client that never reads our close frame is still noticed, and the child stops", async () => {
      const path = room("pid-noread");
      const c = await RawConn.upgrade(s.port, path);
      const pid = Number((await c.frame()).payload.toString());
      c.socket.pause();
      const payload = Buffer.alloc(60_000, 0x62);
      const began = Date.now();
      let sent = 0;
      // Bounded: 64 MiB or 10 s.
      while (!c.ended && sent < 64 * MiB && Date.now() - began < 10_000) {
        const ok = c.write(Buffer.concat([frameHeader(OP.binary, payload.length), payload]));
        sent += payload.length;
        if (!ok) await Promise.race([new Promise((r) => c.socket.once("drain", r)), sleep(100)]);
      }
      c.socket.removeAllListeners("drain");
      await waitFor(
        () => !alive(pid),
        "the child to be stopped after its flooder was closed",
        10_000,
      );
      c.destroy();
      await by.roundTrip("a flood that never read its close");
    });

    it("a 200 MiB line without a newline arrives in --maxframesize pieces, never held whole", async (t) => {
      const TOTAL = 200 * MiB;
      const STEP = MiB / 2; // under --maxbuffer, as above
      const MAX = 64 * 1024;
      const start = rssMiB(s.pid);
      const peak = rssSampler(s.pid, 50);
      const c = await Client.open(s.ws(room("bigline", TOTAL, STEP)));
      let got = 0;
      let asked = 1;
      for (;;) {
        const m = await c.next(`the line after ${got} bytes`);
        if (!m.binary && m.data === "end") break;
        const len = m.binary ? (m.data as Buffer).length : (m.data as string).length;
        assert.ok(len <= MAX, `a piece of ${len} bytes is over --maxframesize`);
        got += len;
        // The server holds back at most one piece; ask for the next step once this one is in.
        if (got >= asked * STEP - 2 * MAX && asked * STEP < TOTAL) {
          c.send("more");
          asked++;
        }
      }
      const grew = peak.stop() - start;
      t.diagnostic(`server RSS +${grew.toFixed(0)} MiB at its peak`);
      assert.equal(got, TOTAL, "bytes of the long line delivered");
      await s.waitForLog(/output message longer than --maxframesize sent in pieces/, 1_000);
      assert.ok(grew < GROWTH, `RSS grew ${grew.toFixed(0)} MiB passing a 200 MiB line`);
      await c.close();
      await by.roundTrip("the long line");
    });

    it("four clients each sending a 60 MiB message over --maxframesize get 1009, memory bounded", async (t) => {
      // Was a BUG (Deno, fixed by serving Deno through src/runtime/http-ws.ts): RSS grew by
      // about 90 MiB per connection (10 connections: 55 → 943 MiB). Deno.upgradeWebSocket has
      // no payload limit, so a whole message (up to Deno's own 64 MiB) was read before
      // connect.ts could close with 1009. ws refuses the frame from its header (maxPayload).
      const start = rssMiB(s.pid);
      const peak = rssSampler(s.pid, 50);
      const conns = await Promise.all(
        [1, 2, 3, 4].map(() => RawConn.upgrade(s.port, room("echo"))),
      );
      const block = Buffer.alloc(MiB, 0x61);
      await Promise.all(conns.map(async (c) => {
        c.write(frameHeader(OP.binary, 60 * MiB));
        for (let i = 0; i < 60 && !c.ended; i++) {
          if (!c.write(block)) {
            await Promise.race([new Promise((r) => c.socket.once("drain", r)), sleep(1_000)]);
          }
        }
      }));
      const ends = await Promise.all(conns.map((c) => c.ending(5_000)));
      for (const c of conns) c.destroy();
      const grew = peak.stop() - start;
      t.diagnostic(`server RSS +${grew.toFixed(0)} MiB at its peak`);
      for (const e of ends) assert.ok(e.code === 1009 || e.tcp !== "open", `ended ${e.code}`);
      assert.ok(grew < GROWTH, `RSS grew ${grew.toFixed(0)} MiB for 4 refused messages`);
      await by.roundTrip("huge messages");
    });

    it("a message that never ends (1 MiB fragments, no FIN) is cut with 1009, memory bounded", async (t) => {
      // Was a BUG (Deno, fixed by serving Deno through src/runtime/http-ws.ts): Deno's own
      // websocket collected the fragments of one message without any limit. One client sent
      // 300 MiB in unfinished fragments; RSS went 45 → 345 MiB and the connection stayed open.
      const start = rssMiB(s.pid);
      const peak = rssSampler(s.pid, 50);
      const c = await RawConn.upgrade(s.port, room("echo"));
      const block = Buffer.alloc(MiB, 0x62);
      let sent = 0;
      for (let i = 0; i < 300 && !c.ended; i++) {
        c.write(frameHeader(i === 0 ? OP.text : OP.cont, MiB, false));
        if (!c.write(block)) {
          await Promise.race([new Promise((r) => c.socket.once("drain", r)), sleep(1_000)]);
        }
        sent += MiB;
      }
      const e = await c.ending(5_000);
      c.destroy();
      const grew = peak.stop() - start;
      t.diagnostic(`server RSS +${grew.toFixed(0)} MiB at its peak`);
      assert.equal(e.code, 1009, `the endless message ended with ${e.code} ${e.reason}`);
      assert.ok(sent < 300 * MiB, "the server took 300 MiB of one unfinished message");
      t.diagnostic(`cut after ${sent / MiB} MiB were written`);
      assert.ok(grew < GROWTH, `RSS grew ${grew.toFixed(0)} MiB for one unfinished message`);
      await by.roundTrip("an endless message");
    });
  });
}
