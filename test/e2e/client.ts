// A websocket test client that queues what it receives and says clearly what it missed.
import WebSocket from "ws";

export interface Received {
  data: string | Buffer;
  binary: boolean;
}

export interface Closed {
  code: number;
  reason: string;
}

export class Client {
  private queue: Received[] = [];
  private waiters: ((m: Received) => void)[] = [];
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket, readonly url: string) {
    ws.on("message", (data: Buffer, binary: boolean) => {
      const m = { data: binary ? data : data.toString("utf8"), binary };
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.closed = new Promise((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() }))
    );
  }

  /** Opens a websocket; fails with the HTTP status and body if the server refuses it. */
  static open(url: string, headers: Record<string, string> = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers });
    const client = new Client(ws, url);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("error", (e) => reject(new Error(`cannot connect to ${url}: ${e.message}`)));
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (d: Buffer) => body += d);
        res.on("end", () => reject(new Refused(res.statusCode ?? 0, body)));
      });
    });
  }

  /** The next message, or a failure naming what was expected after ms. */
  next(what = "a message", ms = 10_000): Promise<Received> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(done), 1);
        reject(new Error(`${this.url}: no ${what} within ${ms} ms`));
      }, ms);
      const done = (m: Received) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push(done);
    });
  }

  /** The next message as text; fails if it is binary. */
  async text(what = "a text message", ms?: number): Promise<string> {
    const m = await this.next(what, ms);
    if (m.binary) throw new Error(`${this.url}: expected ${what}, got a binary frame`);
    return m.data as string;
  }

  /** The next n text messages. */
  async texts(n: number, ms?: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await this.text(`message ${i + 1} of ${n}`, ms));
    return out;
  }

  /** What is queued now, without waiting. */
  pending(): Received[] {
    return [...this.queue];
  }

  send(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Closes and waits for the close handshake. */
  async close(): Promise<Closed> {
    this.ws.close();
    return await this.closed;
  }

  /** The close code and reason, failing after ms. */
  closedWithin(ms = 10_000): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.url}: not closed within ${ms} ms`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}

export class Refused extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`refused with ${status}: ${body.trim()}`);
  }
}

/** Expects the websocket to be refused before the upgrade; returns status and body. */
export async function refusal(url: string, headers?: Record<string, string>): Promise<Refused> {
  try {
    const c = await Client.open(url, headers);
    await c.close();
  } catch (e) {
    if (e instanceof Refused) return e;
    throw e;
  }
  throw new Error(`${url}: expected a refusal, but the websocket opened`);
}
