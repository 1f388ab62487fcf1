// The ceiling: a bare `ws` broadcast server with rooms and no child process. A message goes to
// every client of its room (the sender included, as a room's `cat` does); `go N` makes the
// server itself produce N lines for the room, in 64 KiB batches as a pipe would deliver them
// (`go N RATE`: RATE lines a second).
//
//   node bare.mjs [--port N] [--cork] [--frame-once]
//
// --cork holds each socket corked for the rest of the event-loop turn, so a batch of messages
// leaves in one write per socket instead of one per message. --frame-once (with --cork) also
// encodes and frames each message once and writes those same bytes to every socket, past ws's
// sender: what "encode once for all clients" could gain at most.
import process from "node:process";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { GO, pace, payload, PAYLOAD_BYTES } from "./protocol.ts";

const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1] ?? 0) || 0;
const frameOnce = args.includes("--frame-once");
const cork = frameOnce || args.includes("--cork");
/** Lines per batch: what one 64 KiB read of a child's stdout holds. */
const BATCH = Math.floor(65536 / (PAYLOAD_BYTES + 1));

const rooms = new Map<string, Set<WebSocket>>();
const corked = new Set<Duplex>();

function uncorkAll(): void {
  for (const s of corked) s.uncork();
  corked.clear();
}

function send(ws: WebSocket, msg: string | Buffer, binary: boolean): void {
  if (cork) {
    // ws keeps its net.Socket here; a bare server may reach for it, and that is the point.
    const socket = (ws as unknown as { _socket: Duplex })._socket;
    if (!corked.has(socket)) {
      if (corked.size === 0) setImmediate(uncorkAll);
      socket.cork();
      corked.add(socket);
    }
  }
  ws.send(msg, { binary });
}

function broadcast(room: Set<WebSocket>, msg: string | Buffer, binary: boolean): void {
  if (frameOnce) return broadcastFrame(room, frame(msg, binary));
  for (const ws of room) if (ws.readyState === WebSocket.OPEN) send(ws, msg, binary);
}

/** An unmasked, unfragmented server frame (RFC 6455 5.2) holding the whole message. */
function frame(msg: string | Buffer, binary: boolean): Buffer {
  const payload = typeof msg === "string" ? Buffer.from(msg) : msg;
  const len = payload.length;
  const head = len < 126 ? 2 : len < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(head + len);
  out[0] = 0x80 | (binary ? 2 : 1);
  if (len < 126) out[1] = len;
  else if (len < 65536) (out[1] = 126, out.writeUInt16BE(len, 2));
  else (out[1] = 127, out.writeBigUInt64BE(BigInt(len), 2));
  payload.copy(out, head);
  return out;
}

function broadcastFrame(room: Set<WebSocket>, bytes: Buffer): void {
  for (const ws of room) {
    if (ws.readyState !== WebSocket.OPEN) continue;
    const socket = (ws as unknown as { _socket: Duplex })._socket;
    if (!corked.has(socket)) {
      if (corked.size === 0) setImmediate(uncorkAll);
      socket.cork();
      corked.add(socket);
    }
    socket.write(bytes);
  }
}

function produce(room: Set<WebSocket>, n: number, from = 0): void {
  const end = Math.min(n, from + BATCH);
  for (let seq = from; seq < end; seq++) broadcast(room, payload(0, seq), false);
  if (end < n) setImmediate(() => produce(room, n, end));
}

const wss = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false });
wss.on("connection", (ws, req) => {
  const name = new URL(req.url ?? "/", "http://x").pathname.split("/")[1] ?? "";
  let room = rooms.get(name);
  if (!room) rooms.set(name, room = new Set());
  room.add(ws);
  ws.on("message", (data: Buffer, binary) => {
    // Forwarding the received bytes as they are is the idiom of ws's own broadcast example.
    const go = !binary && data[0] === 0x67 ? GO.exec(data.toString()) : null;
    if (go && go[2]) {
      pace(Number(go[1]), Number(go[2]), (from, to) => {
        for (let seq = from; seq < to; seq++) broadcast(room, payload(0, seq), false);
      });
    } else if (go) produce(room, Number(go[1]));
    else broadcast(room, data, binary);
  });
  ws.on("close", () => {
    room.delete(ws);
    if (room.size === 0 && rooms.get(name) === room) rooms.delete(name);
  });
  ws.on("error", () => {});
});
wss.on("listening", () => {
  const addr = wss.address();
  const real = typeof addr === "object" && addr ? addr.port : port;
  process.stderr.write(`listening on http://127.0.0.1:${real}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
