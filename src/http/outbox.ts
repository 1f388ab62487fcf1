// What one client's socket is handed, capped: ws gives the socket every message at once, and
// nothing handed over can be taken back. So beyond CAP bytes waiting in the socket, messages
// wait here instead, where a 1008 close (the client is too slow) drops them at once: its
// memory comes back, and the close frame follows close behind what the system already took.
import type { Buffer } from "node:buffer";
import type { WebSocket } from "ws";

/** Bytes the socket may hold beyond what the system took, before messages wait here. */
export const CAP = 64 * 1024;

/** ws's net.Socket, as far as the outbox uses it. */
export interface RawSocket {
  on(event: "drain", listener: () => void): unknown;
  cork(): void;
  uncork(): void;
  readonly writableHighWaterMark?: number;
}

export class Outbox {
  /** Messages not handed to ws yet, oldest first from `head`; null when there are none. */
  private queue: { data: Buffer; binary: boolean }[] | null = null;
  private head = 0;
  private queued = 0;
  private readonly cap: number;

  constructor(private readonly ws: WebSocket, private readonly raw: RawSocket | undefined) {
    // The drain comes only to a socket whose buffer passed its high-water mark: a cap below
    // that mark could leave messages here with no drain to send them.
    this.cap = raw ? Math.max(CAP, raw.writableHighWaterMark ?? 0) : Infinity;
    raw?.on("drain", () => this.flush(this.cap));
    ws.once("close", () => this.drop());
  }

  /** Bytes queued towards the client and not yet sent, here and in the socket. */
  get backlog(): number {
    return this.queued + this.ws.bufferedAmount;
  }

  send(data: Buffer, binary: boolean): void {
    if (this.queue === null && this.ws.bufferedAmount < this.cap) {
      return this.ws.send(data, { binary });
    }
    (this.queue ??= []).push({ data, binary });
    this.queued += data.byteLength;
  }

  /**
   * Closes the socket. 1008 drops what waits here, so the close frame goes next; any other
   * code hands everything over first, so the client gets all of it before the close frame.
   */
  close(code: number, reason: string): void {
    if (code === 1008) this.drop();
    else this.flush(Infinity);
    this.ws.close(code, reason);
  }

  /** Hands ws what waits here while the socket holds less than limit. */
  private flush(limit: number): void {
    const q = this.queue;
    if (q === null) return;
    // Corked, what is handed over leaves in one write: frame by frame, a backlog of small
    // messages became as many writes, and a fast reader got a fifth of the throughput.
    this.raw?.cork();
    while (this.head < q.length && this.ws.bufferedAmount < limit) {
      const { data, binary } = q[this.head++];
      this.queued -= data.byteLength;
      this.ws.send(data, { binary });
    }
    this.raw?.uncork();
    if (this.head === q.length) this.drop();
  }

  private drop(): void {
    this.queue = null;
    this.head = 0;
    this.queued = 0;
  }
}
