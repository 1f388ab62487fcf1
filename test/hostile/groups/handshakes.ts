// Protocol abuse over raw sockets, at the HTTP end: broken handshakes get an HTTP status,
// half-sent requests hold nobody up, and a refused handshake holds no room.
// Both runtimes serve through node:http and ws (src/http/serve.ts), so the answers match.
import { after, afterEach, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, type Launcher, PY, type Running, waitFor } from "../../e2e/harness.ts";
import { Client } from "../../e2e/client.ts";
import { frame, handshakeRequest, OP, RawConn } from "../raw.ts";
import { Bystander, stopWithin } from "../common.ts";

interface BadHandshake {
  name: string;
  request: (port: number) => string | Buffer;
  status: number;
}

// A bad key or version is refused by app.ts alone, and checked in process
// (test/unit/app-refusals.test.ts); these are the ones the wire or the HTTP parser shapes.
const HANDSHAKES: BadHandshake[] = [
  {
    name: "no Sec-WebSocket-Key",
    request: (p) => handshakeRequest(p, "/hs", { "Sec-WebSocket-Key": null }),
    status: 400,
  },
  {
    // Was a BUG (Node, fixed in app.ts): this answered 500 with an empty body. Upgrade without
    // "Connection: Upgrade" is not an upgrade to Node's HTTP parser, so the request reached the
    // websocket route as plain HTTP and node-server's upgradeWebSocket returned its 500.
    name: "Upgrade: websocket without Connection: Upgrade",
    request: (p) => handshakeRequest(p, "/hs", { Connection: null }),
    status: 400,
  },
  {
    // 431 Request Header Fields Too Large: node:http's 16 KiB limit, on Deno too.
    name: "a 100 KB header",
    request: (p) => handshakeRequest(p, "/hs", { "X-Big": "a".repeat(100_000) }),
    status: 431,
  },
  {
    name: "a TLS ClientHello sent to the plain HTTP port",
    request: () => Buffer.from("16030100a5010000a10303" + "00".repeat(40), "hex"),
    status: 400,
  },
  {
    name: "a header name with a space",
    request: (p) => handshakeRequest(p, "/hs", { "X-Foo PATH": "x" }),
    status: 400,
  },
  {
    // http-ws.ts builds the URL the app routes by from Host and the target: a Host with a path
    // would have put the request in another room (here "/other").
    name: "a Host header with a path and query in it",
    request: (p) => handshakeRequest(p, "/hs", { Host: `127.0.0.1:${p}/other?` }),
    status: 400,
  },
  {
    // app.ts refuses any method but GET (RFC 6455 §4.1), with Allow: GET.
    name: "POST with the upgrade headers",
    request: (p) => handshakeRequest(p, "/hs").replace("GET", "POST"),
    status: 405,
  },
];

export function handshakeTests(l: Launcher): void {
  describe("protocol abuse on raw sockets: handshakes", () => {
    let s: Running;
    let by: Bystander;
    before(async () => {
      s = await launch(l, [...PY, "echo"]);
      by = await Bystander.join(s);
    });
    after(async () => {
      await by?.close();
      await stopWithin(s);
    });

    it("slowloris: 200 half-sent requests do not hold up anyone else", async () => {
      const held: RawConn[] = [];
      for (let i = 0; i < 200; i++) {
        const c = await RawConn.open(s.port);
        c.write(`GET /slow-${i} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n`);
        held.push(c);
      }
      // Dribble a header line per round, as slowloris does, while others are served: each round
      // is paced by the bystander's round trip and a fresh room's echo, not by a pause.
      for (let round = 0; round < 3; round++) {
        for (const c of held) c.write(`X-Slow-${round}: x\r\n`);
        await by.roundTrip(`slowloris round ${round}`);
        const fresh = await Client.open(s.ws(`/while-slow-${round}`));
        fresh.send("hi");
        assert.equal(await fresh.text("an echo in a new room during slowloris"), "hi");
        await fresh.close();
        const health = await fetch(s.http("/health"), { signal: AbortSignal.timeout(5_000) });
        assert.equal(health.status, 200);
      }
      for (const c of held) c.destroy();
    });

    for (const h of HANDSHAKES) {
      it(`a handshake with ${h.name} gets ${h.status}; other rooms go on`, async () => {
        const c = await RawConn.open(s.port);
        c.write(h.request(s.port));
        const head = await c.response(5_000);
        c.destroy();
        assert.equal(head.status, h.status, head.text);
        await by.roundTrip(h.name);
      });
    }

    it("a handshake in absolute form (GET http://host/room) opens that room", async () => {
      const c = await RawConn.open(s.port);
      c.write(
        handshakeRequest(s.port, "/abs").replace(
          "GET /abs ",
          `GET http://127.0.0.1:${s.port}/abs `,
        ),
      );
      assert.equal((await c.response()).status, 101);
      c.write(frame(OP.text, "absolute"));
      assert.equal((await c.frame()).payload.toString(), "absolute");
      c.destroy();
    });

    it("a GET with Upgrade: h2c (as curl --http2 sends) is answered as plain HTTP", async () => {
      // BUG (Node): the connection was closed with no answer at all. src/runtime/node.ts
      // serveApp's extra "upgrade" listener destroys every non-websocket upgrade socket, so a
      // client offering h2c (RFC 9113 §3.1: the server may ignore it) gets nothing, even for
      // GET /health.
      const c = await RawConn.open(s.port);
      c.write(
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade, HTTP2-Settings\r\n" +
          "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n",
      );
      const head = await c.response(5_000).catch((e) => ({ status: 0, text: String(e) }));
      c.destroy();
      assert.equal(head.status, 200, head.text);
    });
  });

  describe("a failed handshake and --maxrooms", () => {
    // A server each: a room of one test must not hold the only slot in the next.
    let s: Running;
    beforeEach(async () => s = await launch(l, ["--maxrooms", "1", ...PY, "echo"]));
    afterEach(() => stopWithin(s));

    it("a handshake the runtime refuses does not hold a room slot", async () => {
      // Was a BUG (both runtimes, fixed in app.ts): the room was reserved (connect.ts roomEvents
      // → room.reserve()) before the runtime validated the handshake; when the runtime then
      // refused it (400, no Sec-WebSocket-Key) onOpen/onClose never ran, so only HANDSHAKE_MS
      // released the reservation 10 s later. Meanwhile the room counted against --maxrooms: one
      // bad request every 10 s per slot kept every new room out with 429.
      const c = await RawConn.open(s.port);
      c.write(handshakeRequest(s.port, "/refused", { "Sec-WebSocket-Key": null }));
      assert.equal((await c.response()).status, 400);
      c.destroy();
      const ok = await Client.open(s.ws("/next")).catch((e: Error) => e);
      assert.ok(ok instanceof Client, `a new room was refused after a bad handshake: ${ok}`);
      await ok.close();
    });

    it("a handshake ws refuses after the app took it frees its room slot at once", async () => {
      // app.ts accepts this handshake and reserves the room; ws then checks the syntax of
      // Sec-WebSocket-Protocol itself and answers 400. Through @hono/node-server's websocket
      // helper nothing heard of that, so the reservation held --maxrooms' only slot for
      // HANDSHAKE_MS (10 s). http-ws.ts now reports the socket's close to the room's events.
      const c = await RawConn.open(s.port);
      c.write(handshakeRequest(s.port, "/bad-protocol", { "Sec-WebSocket-Protocol": "a b" }));
      assert.equal((await c.response()).status, 400);
      c.destroy();
      // The slot comes free when the server sees the socket close, a moment after its 400.
      await waitFor(
        async () => {
          const r = await Client.open(s.ws("/after-protocol")).catch(() => null);
          await r?.close();
          return r !== null;
        },
        "a new room (not 429) after ws refused a handshake",
        3_000,
      );
    });
  });
}
