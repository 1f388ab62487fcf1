// Lets ws complete a handshake whose Sec-WebSocket-Key is base64 of other than 16 bytes.
//
// RFC 6455 asks for a 16-byte key and ws refuses any other with 400 (it has no option to allow
// one), but websocketd and ScaleSocket accept any key, and ScaleSocket's own Quick Start sends a
// 13-byte one. The key only feeds the accept hash, so ws is shown a stand-in of the right shape
// and the accept line it writes is then computed again from the client's real key.
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket, WebSocketServer } from "ws";

/** What ws itself takes as a key (its websocket-server.js). */
const WS_KEY = /^[+/0-9A-Za-z]{22}==$/;
const STAND_IN = "AAAAAAAAAAAAAAAAAAAAAA==";
/** RFC 6455 §1.3: appended to the key before hashing. */
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC11B65";

/** wss.handleUpgrade for a key of any length (the app has already checked it is base64). */
export function upgradeAnyKey(
  wss: WebSocketServer,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  done: (ws: WebSocket) => void,
): void {
  const key = req.headers["sec-websocket-key"];
  if (key === undefined || WS_KEY.test(key)) return wss.handleUpgrade(req, socket, head, done);
  req.headers["sec-websocket-key"] = STAND_IN;
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  const realAccept = (headers: string[], of: IncomingMessage) => {
    if (of !== req) return;
    const at = headers.findIndex((h) => h.toLowerCase().startsWith("sec-websocket-accept:"));
    if (at !== -1) headers[at] = `Sec-WebSocket-Accept: ${accept}`;
  };
  wss.on("headers", realAccept);
  try {
    wss.handleUpgrade(req, socket, head, done);
  } finally {
    wss.off("headers", realAccept);
  }
}
