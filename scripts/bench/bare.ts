// The ceiling: a bare `ws` broadcast server with rooms and no child process. A message goes to
// every client of its room (the sender included, as a room's `cat` does); `go N` makes the
// server itself produce N lines for the room, in 64 KiB batches as a pipe would deliver them
// (`go N RATE`: RATE lines a second).
//
//   node bare.mjs [--port N] [--cork] [--frame-once] [--pipe CMD ARGS...]
//
// --cork holds each socket corked for the rest of the event-loop turn, so a batch of messages
// leaves in one write per socket instead of one per message. --frame-once (with --cork) also
// encodes and frames each message once and writes those same bytes to every socket, past ws's
// sender: what "encode once for all clients" could gain at most. --pipe CMD gives each room a
// child as scalesocket does, and does nothing more: a message and a newline go to its stdin,
// each line of its stdout to the room. It is the floor of a round trip through a child on this
// runtime: the socket and pipe paths alone, with no routing, codec, limits or batching.
import { spawn } from "node:child_process";
import process from "node:process";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { GO, pace, payload, PAYLOAD_BYTES } from "./protocol.ts";

const args = process.argv.slice(2);
const port = Number(args[args.indexOf("--port") + 1] ?? 0) || 0;
const frameOnce = args.includes("--frame-once");
const cork = frameOnce || args.includes("--cork");
const pipe = args.includes("--pipe") ? args.slice(args.indexOf("--pipe") + 1) : null;
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
  if (pipe) return piped(name, room, ws);
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
interface Piped {
  write(data: Buffer): void;
  kill(): void;
}
const children = new Map<string, Piped>();
const NEWLINE = Buffer.from("\n");

/** --pipe: the room's child, spawned by its first client, stdin in and stdout lines out. */
function piped(name: string, room: Set<WebSocket>, ws: WebSocket): void {
  let child = children.get(name);
  if (!child) {
    const cp = spawn(pipe![0], pipe!.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
    let carry = "";
    cp.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (carry + chunk).split("\n");
      carry = lines.pop()!;
      for (const line of lines) for (const c of room) c.send(line);
    });
    cp.stdin.on("error", () => {});
    child = {
      write: (data) => cp.stdin.write(Buffer.concat([data, NEWLINE])),
      kill: () => cp.kill(),
    };
    children.set(name, child);
  }
  const to = child;
  ws.on("message", (data: Buffer) => to.write(data));
  ws.on("close", () => {
    room.delete(ws);
    if (room.size > 0) return;
    to.kill();
    children.delete(name);
    rooms.delete(name);
  });
  ws.on("error", () => {});
}

wss.on("listening", () => {
  const addr = wss.address();
  const real = typeof addr === "object" && addr ? addr.port : port;
  process.stderr.write(`listening on http://127.0.0.1:${real}\n`);
});
process.on("SIGTERM", () => process.exit(0));
process.on("SIGINT", () => process.exit(0));
