// A websocket client on a bare node:net socket, so tests can send what no real client would.
import { connect, type Socket } from "node:net";
import { randomBytes } from "node:crypto";

export const OP = { cont: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface FrameOptions {
  /** Default true: a client must mask (RFC 6455 §5.1); false sends the payload in the clear. */
  mask?: boolean;
  /** Default true. */
  fin?: boolean;
  /** RSV1–3 bits as a number 0–7 (no extension is negotiated, so any is a protocol error). */
  rsv?: number;
}

/** One websocket frame as a client would write it (or, with options, as it must not). */
export function frame(op: number, payload: Uint8Array | string, o: FrameOptions = {}): Buffer {
  const body = typeof payload === "string" ? Buffer.from(payload) : Buffer.from(payload);
  const mask = o.mask ?? true;
  const head = [((o.fin ?? true) ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | op];
  const m = mask ? 0x80 : 0;
  if (body.length < 126) head.push(m | body.length);
  else if (body.length < 65536) head.push(m | 126, body.length >> 8, body.length & 0xff);
  else {
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(body.length));
    head.push(m | 127, ...len);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), body]);
  const key = randomBytes(4);
  const masked = Buffer.alloc(body.length);
  for (let i = 0; i < body.length; i++) masked[i] = body[i] ^ key[i & 3];
  return Buffer.concat([Buffer.from(head), key, masked]);
}

/** Only the header of a masked frame announcing `length` bytes: the payload is up to the caller. */
export function frameHeader(op: number, length: number, fin = true): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(length));
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | op, 0x80 | 127]), len, randomBytes(4)]);
}

/** A close frame's payload: the code, then the reason. */
export function closePayload(code: number, reason = ""): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

export interface ServerFrame {
  fin: boolean;
  op: number;
  payload: Buffer;
}

/** How the server ended the conversation. */
export interface Ending {
  /** The code of the server's close frame; null if it sent none. */
  code: number | null;
  reason: string;
  /** How the TCP connection ended: "end" (FIN), "reset", or "open" (still open at the deadline). */
  tcp: "end" | "reset" | "open";
  /** Data frames received before the close. */
  frames: ServerFrame[];
}

export interface HttpHead {
  status: number;
  headers: Record<string, string>;
  /** The whole head as text, for messages. */
  text: string;
}

/** A raw connection: send bytes, read the server's HTTP head and then its frames. */
export class RawConn {
  private buf = Buffer.alloc(0);
  private head: HttpHead | null = null;
  private readonly frames: ServerFrame[] = [];
  private closeFrame: { code: number | null; reason: string } | null = null;
  private tcp: "end" | "reset" | "open" = "open";
  private readonly watchers = new Set<() => void>();
  /** Answer the server's close frame, as a polite client does (so it can end TCP at once). */
  replyToClose = true;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
      this.notify();
    });
    socket.on("end", () => {
      if (this.tcp === "open") this.tcp = "end";
      this.notify();
    });
    socket.on("error", () => {
      this.tcp = "reset";
      this.notify();
    });
    socket.on("close", () => {
      if (this.tcp === "open") this.tcp = "end";
      this.notify();
    });
  }

  static open(port: number): Promise<RawConn> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => resolve(new RawConn(socket)));
      socket.once("error", reject);
    });
  }

  /** Connects and sends a handshake for path; resolves with the connection once the head came. */
  static async upgrade(
    port: number,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<RawConn> {
    const c = await RawConn.open(port);
    c.write(handshakeRequest(port, path, headers));
    const head = await c.response();
    if (head.status !== 101) throw new Error(`${path}: expected 101, got:\n${head.text}`);
    return c;
  }

  write(data: Uint8Array | string): boolean {
    if (this.socket.destroyed) return false;
    return this.socket.write(data);
  }

  get ended(): boolean {
    return this.tcp !== "open";
  }

  /** The server's HTTP response head, failing after ms. */
  async response(ms = 10_000): Promise<HttpHead> {
    await this.until(() => this.head !== null || this.tcp !== "open", ms, "an HTTP response");
    if (!this.head) throw new Error(`connection ended with no HTTP response (${this.tcp})`);
    return this.head;
  }

  /** The HTTP response body read until the connection ended (for refusals). */
  async body(ms = 10_000): Promise<string> {
    await this.response(ms);
    await this.until(() => this.tcp !== "open", ms, "the end of the response").catch(() => {});
    return this.buf.toString("latin1");
  }

  /** The next data or control frame that is not a close, failing after ms. */
  async frame(ms = 10_000): Promise<ServerFrame> {
    await this.until(() => this.frames.length > 0, ms, "a frame");
    return this.frames.shift()!;
  }

  /**
   * Waits until the server closed: a close frame and the TCP end, or just one of them after a
   * short grace. With no ending within ms, reports tcp "open".
   */
  async ending(ms = 10_000): Promise<Ending> {
    try {
      await this.until(() => this.tcp !== "open" || this.closeFrame !== null, ms, "");
      // A close frame usually comes with the TCP end right behind it: give it a moment.
      await this.until(() => this.tcp !== "open", 1_000, "").catch(() => {});
    } catch {
      // Still open: say so.
    }
    return {
      code: this.closeFrame?.code ?? null,
      reason: this.closeFrame?.reason ?? "",
      tcp: this.tcp,
      frames: this.frames.splice(0),
    };
  }

  /** Drops the connection. */
  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const w of [...this.watchers]) w();
  }

  private until(cond: () => boolean, ms: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        this.watchers.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.watchers.delete(check);
        reject(new Error(`no ${what} within ${ms} ms`));
      }, ms);
      this.watchers.add(check);
    });
  }

  private parse(): void {
    if (!this.head) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end === -1) return;
      const text = this.buf.subarray(0, end).toString("latin1");
      const [statusLine, ...lines] = text.split("\r\n");
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      this.head = { status: Number(statusLine.split(" ")[1]), headers, text };
      this.buf = this.buf.subarray(end + 4);
      // A refusal's body stays in buf for body(); only an upgrade is followed by frames.
      if (this.head.status !== 101) return;
    }
    if (this.head.status !== 101) return;
    for (;;) {
      const f = readFrame(this.buf);
      if (!f) return;
      this.buf = this.buf.subarray(f.size);
      if (f.frame.op === OP.close) {
        const p = f.frame.payload;
        this.closeFrame = {
          code: p.length >= 2 ? p.readUInt16BE(0) : null,
          reason: p.subarray(2).toString(),
        };
        if (this.replyToClose) this.write(frame(OP.close, p.subarray(0, 2)));
      } else this.frames.push(f.frame);
    }
  }
}

/** One server frame from the start of buf, or null if it is not all there yet. */
function readFrame(buf: Buffer): { frame: ServerFrame; size: number } | null {
  if (buf.length < 2) return null;
  let len = buf[1] & 0x7f;
  let at = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    at = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    at = 10;
  }
  if (buf[1] & 0x80) at += 4; // servers never mask, but read past a mask if one is there
  if (buf.length < at + len) return null;
  const frame = {
    fin: (buf[0] & 0x80) !== 0,
    op: buf[0] & 0x0f,
    payload: buf.subarray(at, at + len),
  };
  return { frame, size: at + len };
}

/** A websocket handshake request; headers override or (with undefined-like "") add. */
export function handshakeRequest(
  port: number,
  path: string,
  headers: Record<string, string | null> = {},
): string {
  const base: Record<string, string | null> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
    "Sec-WebSocket-Version": "13",
  };
  const all = { ...base, ...headers };
  const lines = Object.entries(all).filter(([, v]) => v !== null).map(([k, v]) => `${k}: ${v}`);
  return `GET ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`;
}
