// S4 end to end: how child output becomes messages and client messages become input, and limits.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { alive, launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client } from "../client.ts";

/** A fresh room whose child runs fixture `mode` with `args` (the fixture's `query` mode). */
let rooms = 0;
function room(mode: string, ...args: string[]): string {
  const query = new URLSearchParams([["mode", mode], ...args.map((a) => ["arg", a])]);
  return `/messages-${++rooms}?${query}`;
}

/** The promise's value, or a failure naming what did not happen within ms. */
function within<T>(p: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

async function binary(c: Client, what: string): Promise<Buffer> {
  const m = await c.next(what);
  assert.ok(m.binary, `expected ${what} as a binary frame, got text ${JSON.stringify(m.data)}`);
  return m.data as Buffer;
}

export function messageTests(l: Launcher): void {
  describe("messages", () => {
    describe("in lines mode", () => {
      let s: Running;
      before(async () => s = await launch(l, [...PY, "query"]));
      after(() => s.stop());

      it("splits output on \\n and \\r\\n, keeping empty lines as empty messages", async () => {
        const c = await Client.open(s.ws(room("write", String.raw`a\nb\r\n\nc\r\nx\ry\n`)));
        assert.deepEqual(await c.texts(5), ["a", "b", "", "c", "x\ry"]);
        assert.equal((await c.closedWithin()).code, 1000);
      });

      it("delivers a final line without a newline when the child exits", async () => {
        const c = await Client.open(s.ws(room("write", String.raw`first\nlast`)));
        assert.deepEqual(await c.texts(2), ["first", "last"]);
        assert.equal((await c.closedWithin()).code, 1000);
      });

      it("sends output that is not valid UTF-8 as a binary frame with the exact bytes", async () => {
        const c = await Client.open(s.ws(room("write", String.raw`ok\n\xff\xfeab\nafter\n`)));
        assert.equal(await c.text("the valid line before"), "ok");
        assert.deepEqual(
          await binary(c, "the invalid line"),
          Buffer.from([0xff, 0xfe, 0x61, 0x62]),
        );
        assert.equal(await c.text("the valid line after"), "after");
      });

      it("writes each client message to the child followed by a newline", async () => {
        const c = await Client.open(s.ws(room("echo")));
        // Without the newline the echoing child would not answer before the next message.
        c.send("one");
        assert.equal(await c.text("the echo of one"), "one");
        c.send(Buffer.from("two as a binary frame"));
        assert.equal(await c.text("the echo of a binary frame"), "two as a binary frame");
        c.send("");
        assert.equal(await c.text("the echo of an empty message"), "");
        await c.close();
      });

      it("answers websocket pings itself and never passes them to the child", async () => {
        const c = await Client.open(s.ws(room("echo")));
        const pong = new Promise<Buffer>((resolve) => c.ws.once("pong", resolve));
        c.ws.ping(Buffer.from("are you there"));
        assert.equal((await within(pong, "a pong")).toString(), "are you there");
        c.send("after the ping");
        assert.equal(await c.text("the echo after the ping"), "after the ping");
        assert.deepEqual(c.pending(), [], "the child answered something else too");
        await c.close();
      });
    });

    describe("with --null and --delimiters", () => {
      let nul: Running;
      let delims: Running;
      before(async () => {
        [nul, delims] = await Promise.all([
          launch(l, ["--null", ...PY, "query"]),
          launch(l, ["--delimiters=;,", ...PY, "query"]),
        ]);
      });
      after(() => Promise.all([nul.stop(), delims.stop()]));

      it("--null splits output on NUL bytes only", async () => {
        const c = await Client.open(nul.ws(room("write", String.raw`a\x00b\nc\x00\x00d`)));
        assert.deepEqual(await c.texts(4), ["a", "b\nc", "", "d"]);
      });

      it("--delimiters splits output on any of the given characters", async () => {
        const c = await Client.open(delims.ws(room("write", String.raw`a;b,c\nd;;e`)));
        assert.deepEqual(await c.texts(5), ["a", "b", "c\nd", "", "e"]);
      });
    });

    describe("with --binary", () => {
      let s: Running;
      before(async () => s = await launch(l, ["--binary", "cat"]));
      after(() => s.stop());

      it("passes bytes through raw both ways, as binary frames with nothing appended", async () => {
        const c = await Client.open(s.ws("/binary"));
        // Each message comes back before the next is sent, so its bytes cannot mix with another's:
        // an appended newline would show at the start of the next one.
        const messages = [
          Buffer.from("valid UTF-8 is binary too"),
          Buffer.from([0, 1, 0x0a, 0x0d, 0xff]),
          randomBytes(100_000),
          Buffer.from("end"),
        ];
        for (const [i, sent] of messages.entries()) {
          c.send(sent);
          const got: Buffer[] = [];
          for (let size = 0; size < sent.length;) {
            const b = await binary(c, `the output of message ${i + 1} after ${size} bytes`);
            got.push(b);
            size += b.length;
          }
          assert.ok(Buffer.concat(got).equals(sent), `message ${i + 1} came back changed`);
        }
        await c.close();
      });
    });

    describe("with --maxframesize 1000", () => {
      let s: Running;
      before(async () => s = await launch(l, ["--maxframesize", "1000", ...PY, "query"]));
      after(() => s.stop());

      it("closes a client whose message is too big with 1009 and keeps the others", async () => {
        const path = room("echo");
        const a = await Client.open(s.ws(path));
        const b = await Client.open(s.ws(path));
        b.send("b joined");
        assert.equal(await b.text("b's own echo"), "b joined");
        assert.equal(await a.text("b's echo"), "b joined");
        a.send("y".repeat(1000));
        assert.equal(await b.text("a message of exactly 1000 bytes"), "y".repeat(1000));
        a.send("z".repeat(1001));
        assert.equal((await a.closedWithin()).code, 1009);
        b.send("b still here");
        assert.equal(await b.text("b's echo after a left"), "b still here");
        await b.close();
      });

      it("delivers an output line longer than the limit in pieces of that size", async () => {
        // flood 1 2500 prints "0 " and 2500 x: 2502 bytes, then echoes.
        const c = await Client.open(s.ws(room("flood", "1", "2500")));
        const pieces = await c.texts(3);
        assert.deepEqual(pieces.map((p) => p.length), [1000, 1000, 502]);
        assert.equal(pieces.join(""), "0 " + "x".repeat(2500));
        c.send("next");
        assert.equal(await c.text("the echo after the long line"), "next");
        await s.waitForLog(/WARN .*--maxframesize/);
        await c.close();
      });
    });

    describe("with --maxbuffer 65536", () => {
      let s: Running;
      before(async () => s = await launch(l, ["--maxbuffer", "65536", ...PY, "query"]));
      after(() => s.stop());

      it("closes a client that stops reading with 1008 while the others get every line", async () => {
        // b asks for each burst of 16 lines of 4000 bytes once it has the last: b keeps up
        // whatever the machine's speed, while a, reading nothing, falls further behind.
        const burst = 16;
        const path = room("bursts", String(burst), "4000");
        const a = await Client.open(s.ws(path));
        const b = await Client.open(s.ws(path));
        // Both receiving this echo shows both are in the room before the flood starts.
        a.send("a joined");
        assert.equal(await a.text("a's own echo"), "a joined");
        assert.equal(await b.text("a's echo, on b"), "a joined");
        // deno-lint-ignore no-explicit-any
        const socketA = (a.ws as any)._socket;
        socketA.pause();
        const kicked = () => /closing client: client too slow/.test(s.stderr());
        // Up to 64 MiB: more than the kernel's buffers for a can hold; then two bursts more.
        let n = 0;
        for (let extra = 0; n < 1024 * burst && extra < 2; extra += kicked() ? 1 : 0) {
          b.send("more");
          const lines = await b.texts(burst).catch((e) => {
            throw new Error(`${e.message}; the server said:\n${s.stderr()}`);
          });
          for (const line of lines) {
            const got = Number(line.slice(0, line.indexOf(" ")));
            if (got !== n) assert.fail(`b got line ${got} where line ${n} was due`);
            n++;
          }
        }
        assert.ok(kicked(), `a, reading nothing, was not closed after ${n} lines:\n${s.stderr()}`);
        // Let a read again: behind its backlog it finds the close frame.
        socketA.resume();
        assert.deepEqual(await a.closedWithin(), { code: 1008, reason: "client too slow" });
        b.send("b still here");
        assert.equal(await b.text("b's echo after a left"), "b still here");
        await b.close();
      });

      it("closes a client flooding a child that does not read with 1008, then stops the child", async () => {
        const c = await Client.open(s.ws(room("pid-noread")));
        const pid = Number(await c.text("the child's pid"));
        assert.ok(alive(pid), `child ${pid} is not running`);
        const chunk = "i".repeat(16 * 1024);
        // 4 MiB: far more than the pipe and --maxbuffer hold together.
        for (let i = 0; i < 256 && c.ws.readyState === c.ws.OPEN; i++) c.send(chunk);
        const closed = await c.closedWithin();
        await waitFor(() => !alive(pid), `child ${pid} to be stopped once its room emptied`);
        assert.deepEqual(closed, { code: 1008, reason: "input buffer full" });
      });
    });
  });
}
