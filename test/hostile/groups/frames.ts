// S10 protocol abuse over raw sockets, frame by frame: each broken frame gets a close code or
// the connection dropped, and another room keeps echoing after each one.
//
// Both runtimes use ws (src/runtime/http-ws.ts), which answers every protocol error with a close
// frame: 1002, 1007 or 1009. Deno's own websocket (Deno.upgradeWebSocket), used before, dropped
// the connection without one, echoed unmasked frames and collected fragmented messages without
// any bound; the expectations below were per runtime then.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY, type Running } from "../../e2e/harness.ts";
import { closePayload, frame, frameHeader, handshakeRequest, OP, RawConn } from "../raw.ts";
import { Bystander, sleep, stopWithin } from "../common.ts";
import { childrenOf, describeProcs } from "../proc.ts";

const MAX = 4096;

interface Attack {
  name: string;
  bytes: () => Buffer;
  /** The code of the server's close frame. */
  close: number;
}

const text = (s: string, o = {}) => frame(OP.text, s, o);
const bad = (code: number, reason = "") => frame(OP.close, closePayload(code, reason));

const ATTACKS: Attack[] = [
  {
    name: "an HTTP request sent again after the handshake",
    bytes: () => Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
    close: 1002,
  },
  {
    // RFC 6455 §5.1: a server MUST close on an unmasked client frame. Deno's own websocket
    // echoed it.
    name: "an unmasked text frame",
    bytes: () => text("unmasked", { mask: false }),
    close: 1002,
  },
  {
    name: "invalid UTF-8 in a text frame",
    bytes: () => frame(OP.text, Buffer.from([0x68, 0xc3, 0x28, 0xff])),
    close: 1007,
  },
  {
    name: "a UTF-8 sequence split across fragments that never completes",
    bytes: () =>
      Buffer.concat([
        frame(OP.text, Buffer.from([0x61, 0xe2, 0x82]), { fin: false }),
        frame(OP.cont, Buffer.from([0x61])),
      ]),
    close: 1007,
  },
  {
    name: "a continuation frame with no message to continue",
    bytes: () => frame(OP.cont, "orphan"),
    close: 1002,
  },
  {
    name: "a new text frame in the middle of a fragmented message",
    bytes: () => Buffer.concat([text("first", { fin: false }), text("second")]),
    close: 1002,
  },
  {
    name: "a fragmented ping",
    bytes: () => frame(OP.ping, "p", { fin: false }),
    close: 1002,
  },
  {
    name: "RSV bits set with no extension negotiated",
    bytes: () => text("rsv", { rsv: 4 }),
    close: 1002,
  },
  {
    name: "a reserved data opcode (0x3)",
    bytes: () => frame(0x3, "x"),
    close: 1002,
  },
  {
    name: "a reserved control opcode (0xB)",
    bytes: () => frame(0xb, "x"),
    close: 1002,
  },
  {
    name: "a ping of 126 bytes (control frames carry at most 125)",
    bytes: () => frame(OP.ping, "x".repeat(126)),
    close: 1002,
  },
  {
    name: "a close frame of 126 bytes",
    bytes: () => frame(OP.close, Buffer.concat([closePayload(1000), Buffer.alloc(124, 0x61)])),
    close: 1002,
  },
  {
    name: "a close frame with a 1-byte payload",
    bytes: () => frame(OP.close, Buffer.from([0x03])),
    close: 1002,
  },
  {
    name: "a close frame with the reserved code 1005",
    bytes: () => bad(1005),
    close: 1002,
  },
  {
    name: "a close frame with code 999",
    bytes: () => bad(999),
    close: 1002,
  },
  {
    name: "a close frame whose reason is not UTF-8",
    bytes: () => frame(OP.close, Buffer.concat([closePayload(1000), Buffer.from([0xff])])),
    close: 1007,
  },
  {
    name: `one frame over --maxframesize (${MAX + 1} bytes)`,
    bytes: () => text("x".repeat(MAX + 1)),
    close: 1009,
  },
  {
    name: `a message over --maxframesize in fragments under it (3 × ${MAX / 2})`,
    bytes: () =>
      Buffer.concat([
        text("x".repeat(MAX / 2), { fin: false }),
        frame(OP.cont, "x".repeat(MAX / 2), { fin: false }),
        frame(OP.cont, "x".repeat(MAX / 2)),
      ]),
    close: 1009,
  },
  {
    // ws refuses from the header alone: nothing of the payload is read or kept.
    name: "a frame header announcing 2^40 bytes (none sent)",
    bytes: () => frameHeader(OP.binary, 2 ** 40),
    close: 1009,
  },
  {
    name: "a frame header with the 64-bit length's top bit set",
    bytes: () => {
      const h = frameHeader(OP.binary, 0);
      h.writeBigUInt64BE(2n ** 63n, 2);
      return h;
    },
    close: 1009,
  },
];

export function frameTests(l: Launcher): void {
  describe("protocol abuse on raw sockets: frames", () => {
    let s: Running;
    let by: Bystander;
    let rooms = 0;
    before(async () => {
      s = await launch(l, ["--maxframesize", String(MAX), ...PY, "echo"]);
      by = await Bystander.join(s);
    });
    after(async () => {
      await by?.close();
      await stopWithin(s);
    });

    for (const a of ATTACKS) {
      it(`${a.name}: closes with ${a.close}; other rooms go on`, async () => {
        const c = await RawConn.upgrade(s.port, `/attack-${++rooms}`);
        c.write(a.bytes());
        const e = await c.ending(5_000);
        c.destroy();
        assert.equal(e.code, a.close, `close code (reason ${JSON.stringify(e.reason)})`);
        await by.roundTrip(a.name);
      });
    }

    it("a handshake with a frame in the same packet has that frame echoed", async () => {
      const c = await RawConn.open(s.port);
      c.write(Buffer.concat([Buffer.from(handshakeRequest(s.port, "/early")), text("early")]));
      assert.equal((await c.response()).status, 101);
      assert.equal((await c.frame()).payload.toString(), "early");
      c.destroy();
    });

    it("a message of 2000 one-byte fragments arrives whole", async () => {
      const c = await RawConn.upgrade(s.port, "/fragments");
      const parts = [text("a", { fin: false })];
      for (let i = 1; i < 1999; i++) parts.push(frame(OP.cont, "b", { fin: false }));
      parts.push(frame(OP.cont, "c"));
      c.write(Buffer.concat(parts));
      assert.equal((await c.frame()).payload.toString(), `a${"b".repeat(1998)}c`);
      c.destroy();
      await by.roundTrip("2000 fragments");
    });

    it("a ping flood from a client that never reads leaves the server bounded", async () => {
      // ws cuts the connection once too many pongs wait unsent (maxPendingAutoPongs).
      const c = await RawConn.upgrade(s.port, "/pings");
      c.socket.pause();
      const batch = Buffer.concat(
        Array.from({ length: 1000 }, () => frame(OP.ping, "x".repeat(125))),
      );
      const deadline = Date.now() + 5_000;
      let sent = 0;
      while (!c.ended && Date.now() < deadline && sent < 200_000) {
        if (!c.write(batch)) {
          await Promise.race([new Promise((r) => c.socket.once("drain", r)), sleep(200)]);
        }
        sent += 1000;
      }
      assert.ok(c.ended, `the server took ${sent} pings unanswered and did not cut the flood`);
      c.socket.removeAllListeners("drain");
      c.destroy();
      await by.roundTrip("a ping flood");
    });

    it("after every attack, no child is left but the bystander's", async () => {
      // Every attacked room lost its only client, so its child was stopped.
      const deadline = Date.now() + 10_000;
      let kids = childrenOf(s.pid);
      while (kids.length > 1 && Date.now() < deadline) {
        await sleep(100);
        kids = childrenOf(s.pid);
      }
      assert.equal(kids.length, 1, describeProcs(kids));
      await by.roundTrip("all attacks");
    });
  });
}
