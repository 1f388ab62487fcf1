// The one wrapper around ws's socket: made once at the edge, it is what the door and the rooms
// see (door.ts's Socket), and it reports the socket's traffic to the membership it opened.
import { Buffer } from "node:buffer";
import type { RawData, WebSocket } from "ws";
import type { Logger } from "../log.ts";
import type { Membership, Socket, Ticket } from "../room/door.ts";
import type { Outgoing } from "../codec/outgoing.ts";
import { Outbox, type RawSocket } from "./outbox.ts";

/** Runs fn; what it throws is logged, never thrown into the socket's event loop. */
export function guarded<A extends unknown[], R>(
  log: Logger,
  what: string,
  fn: (...a: A) => R,
): (...a: A) => R | undefined {
  return (...a: A) => {
    try {
      return fn(...a);
    } catch (err) {
      log.error(`websocket handler failed: ${what}`, { error: String(err) });
      return undefined;
    }
  };
}

/**
 * ws's socket as a Socket, corked for a batch so many small frames leave in one write. A class:
 * an object literal with getters was a dictionary with a closure per method, about 0.9 KB more
 * for every idle connection.
 */
class WsSocket implements Socket {
  private readonly box: Outbox;

  constructor(private readonly ws: WebSocket) {
    this.box = new Outbox(ws, this.raw());
  }

  /** ws keeps the net.Socket private; cork/uncork and its drain are all we touch, if it is there. */
  private raw(): RawSocket | undefined {
    return (this.ws as unknown as { _socket?: RawSocket })._socket;
  }

  send(msg: Outgoing): void {
    this.box.send(asBuffer(msg), !msg.text);
  }

  get bufferedAmount(): number {
    return this.box.backlog;
  }

  get closed(): boolean {
    return this.ws.readyState === this.ws.CLOSED;
  }

  close(code: number, reason: string): void {
    this.box.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  hold(): void {
    this.raw()?.cork();
  }

  release(): void {
    this.raw()?.uncork();
  }
}

/** Connects an open socket to the membership its ticket opens. */
export function attach(ws: WebSocket, ticket: Ticket, log: Logger, keepalive: Keepalive | null) {
  listen(ws, opened(ws, ticket, log), log, keepalive);
}

/** The ticket's membership: opened in a scope of its own, so no listener keeps the ticket. */
function opened(ws: WebSocket, ticket: Ticket, log: Logger): Membership | undefined {
  return guarded(log, "open", (s: Socket) => ticket.open(s))(new WsSocket(ws));
}

function listen(
  ws: WebSocket,
  membership: Membership | undefined,
  log: Logger,
  keepalive: Keepalive | null,
): void {
  const message = guarded(log, "message", (d: string | Uint8Array) => membership?.message(d));
  const closed = guarded(log, "close", (code: number, r: string) => membership?.closed(code, r));
  keepalive?.add(ws);
  ws.on("message", (data: RawData, binary: boolean) => {
    keepalive?.heard(ws);
    // ws hands over a Buffer of its own per message (nodebuffer), and has checked text is UTF-8.
    const buf = data as Buffer;
    message(binary ? buf : buf.toString("utf8"));
  });
  ws.on("close", (code: number, reason: Buffer) => {
    keepalive?.remove(ws);
    closed(code, reason.toString());
  });
  // An error is followed by close; close reports it.
  ws.on("error", () => {});
}

/**
 * websocketd's --pingms: every socket is pinged each period, and one silent for twice that is
 * dropped. One timer serves every socket; it runs only while there are sockets.
 */
export class Keepalive {
  /** When each socket was last heard from (a pong or a message). */
  private readonly sockets = new Map<WebSocket, number>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly ms: number) {}

  add(ws: WebSocket): void {
    this.sockets.set(ws, Date.now());
    ws.on("pong", () => this.heard(ws));
    this.timer ??= setInterval(() => this.tick(), this.ms);
  }

  heard(ws: WebSocket): void {
    if (this.sockets.has(ws)) this.sockets.set(ws, Date.now());
  }

  remove(ws: WebSocket): void {
    this.sockets.delete(ws);
    if (this.sockets.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Date.now();
    for (const [ws, heard] of this.sockets) {
      if (now - heard > 2 * this.ms) ws.terminate();
      else ws.ping();
    }
  }
}

const VIEW = Symbol("buffer view");

/**
 * The message's bytes as one Buffer for every socket it goes to. ws wraps any other Uint8Array in
 * a new Buffer on each send: one allocation per recipient, which cost a quarter of fan-out's
 * throughput to a thousand clients.
 */
function asBuffer(msg: Outgoing & { [VIEW]?: Buffer }): Buffer {
  const data = msg.data;
  return msg[VIEW] ??= Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}
