// The relay keeps an owner's first frames even when they arrive in the same read as its 101.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, type Socket as NetSocket } from "node:net";
import { Buffer } from "node:buffer";
import { dialOwner, relayTicket } from "../../src/cluster/relay.ts";
import type { Socket } from "../../src/room/door.ts";
import type { Outgoing } from "../../src/codec/outgoing.ts";
import { waitFor } from "../e2e/harness.ts";

/** An owner that answers the handshake and sends "hello" in one write. */
function eagerOwner(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<NetSocket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    let head = "";
    sock.on("data", (d) => {
      head += d;
      const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1];
      if (!key || !head.includes("\r\n\r\n")) return;
      const accept = createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
        .digest("base64");
      const answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" +
        `Connection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
      sock.write(
        Buffer.concat([Buffer.from(answer), Buffer.from([0x81, 5]), Buffer.from("hello")]),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as { port: number }).port,
        close() {
          for (const s of sockets) s.destroy();
          server.close();
        },
      }))
  );
}

test("a frame sent with the owner's 101 reaches the relayed client", async () => {
  const owner = await eagerOwner();
  try {
    const dialled = await dialOwner(`127.0.0.1:${owner.port}`, "/room", {}, {
      maxPayload: 1 << 20,
      tls: false,
    });
    assert.equal(dialled.kind, "open", "the owner accepted the handshake");
    if (dialled.kind !== "open") return;
    const sent: Outgoing[] = [];
    const client: Socket = {
      send: (m) => sent.push(m),
      bufferedAmount: 0,
      closed: false,
      close: () => {},
      terminate: () => {},
      hold: () => {},
      release: () => {},
    };
    const ticket = relayTicket("room", dialled.upstream, {
      maxBuffer: 1 << 20,
      opened: () => {},
      closed: () => {},
    });
    ticket.open(client);
    await waitFor(() => sent.length > 0, "the owner's first frame on the client");
    assert.equal(Buffer.from((sent[0] as { data: Uint8Array }).data).toString(), "hello");
    ticket.cancel();
  } finally {
    owner.close();
  }
});
