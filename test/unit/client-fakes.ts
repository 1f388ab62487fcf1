// A scripted WebSocket for the client library's unit tests: the test plays the server.
import type { SocketLike, WebSocketConstructor } from "../../src/client/index.ts";

type Handler = ((event: never) => void) | null;

export class FakeSocket implements SocketLike {
  readyState = 0;
  binaryType = "blob";
  onopen: Handler = null;
  onmessage: Handler = null;
  onclose: Handler = null;
  onerror: Handler = null;
  /** What the client sent on this socket, in order. */
  sent: unknown[] = [];
  /** The client's own close, when it closed this socket. */
  closedWith: [number | undefined, string | undefined] | null = null;

  constructor(readonly url: string) {}

  send(data: never): void {
    if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedWith = [code, reason];
    this.readyState = 3;
  }

  /** The server accepts; a Welcome (or Resumed) object is sent as the first frame. */
  accept(first?: Record<string, unknown>): void {
    this.readyState = 1;
    this.#fire(this.onopen, {});
    if (first) this.message(JSON.stringify(first));
  }

  message(data: string | ArrayBuffer): void {
    this.#fire(this.onmessage, { data });
  }

  /** The connection ends from the server's side (1006: it vanished). */
  drop(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.#fire(this.onclose, { code, reason });
  }

  /** The query the client connected with, as an object. */
  query(): Record<string, string> {
    return Object.fromEntries(new URL(this.url).searchParams);
  }

  #fire(handler: Handler, event: unknown): void {
    (handler as ((e: unknown) => void) | null)?.(event);
  }
}

/** A WebSocket class whose instances the test awaits one by one. */
export function fakeServer(): { WebSocket: WebSocketConstructor; next(): Promise<FakeSocket> } {
  const made: FakeSocket[] = [];
  const waiting: ((s: FakeSocket) => void)[] = [];
  let taken = 0;
  class WebSocket extends FakeSocket {
    constructor(url: string) {
      super(url);
      made.push(this);
      waiting.shift()?.(this);
    }
  }
  return {
    WebSocket,
    next() {
      const i = taken++;
      if (i < made.length) return Promise.resolve(made[i]);
      return new Promise((resolve) => waiting.push(resolve));
    },
  };
}
