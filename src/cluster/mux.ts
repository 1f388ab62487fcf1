// The link protocol: how one websocket between a relaying node and a room's owner carries every
// client that node relays to the room. The websocket messages are a stream of frames, each a u32
// length and the frame, cut where a message would outgrow what the other node takes (a frame may
// span messages); docs/decisions.md ("One link per room and relaying node") lists the frames.

/** Frame kinds; 1-3 go to the owner, 3-6 come from it. */
export const OP = { join: 1, message: 2, close: 3, admit: 4, refuse: 5, deliver: 6 } as const;

export type Frame =
  /** A client asks to join: the signed headers its own relayed handshake would carry. */
  | { op: 1; ch: number; fields: Record<string, string> }
  /** A client's message. */
  | { op: 2; ch: number; text: boolean; data: Uint8Array }
  /** A client's connection ended (1006: it vanished), or the owner closed it. */
  | { op: 3; ch: number; code: number; reason: string }
  /** The owner took the client in; its messages may follow. */
  | { op: 4; ch: number }
  /** The owner refused the client with this HTTP status. */
  | { op: 5; ch: number; status: number; text: string }
  /** One message for these channels; to: null means every channel the owner took in. */
  | { op: 6; text: boolean; to: number[] | null; data: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The bytes of a frame after its kind and channel: its header's rest and its payload. */
function parts(f: Frame): [number, Uint8Array] {
  switch (f.op) {
    case OP.join:
      return [0, encoder.encode(JSON.stringify(f.fields))];
    case OP.message:
      return [1, f.data];
    case OP.close:
      return [2, encoder.encode(f.reason)];
    case OP.refuse:
      return [2, encoder.encode(f.text)];
    case OP.admit:
      return [0, EMPTY];
    case OP.deliver:
      return [4 * (f.to?.length ?? 0), f.data];
  }
}
const EMPTY = new Uint8Array(0);

/** The longest frame a reader takes: far above any message a room passes on. */
export const MAX_FRAME = 256 * 1024 * 1024;

/**
 * Frames written one after the other into websocket messages of at most limit bytes. They are
 * written straight into the message's buffer: a link carries many small frames, and an object
 * per header showed in the garbage collector's share.
 */
export class Batch {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  private size = 0;
  private readonly sealed: Uint8Array[] = [];

  constructor(readonly limit: number) {}

  get empty(): boolean {
    return this.size === 0 && this.sealed.length === 0;
  }

  add(f: Frame): void {
    const [extra, data] = parts(f);
    // Kind, then a channel, or (deliver) text flag and channel count.
    const n = 5 + (f.op === OP.deliver ? 1 : 0) + extra + data.byteLength;
    this.reserve(4 + n);
    const v = this.view;
    let at = this.size;
    v.setUint32(at, n);
    v.setUint8(at + 4, f.op);
    at += 5;
    if (f.op === OP.deliver) {
      const to = f.to ?? [];
      v.setUint8(at, f.text ? 1 : 0);
      v.setUint32(at + 1, to.length);
      at += 5;
      for (const ch of to) {
        v.setUint32(at, ch);
        at += 4;
      }
    } else {
      v.setUint32(at, f.ch);
      at += 4;
      if (f.op === OP.message) v.setUint8(at++, f.text ? 1 : 0);
      if (f.op === OP.close || f.op === OP.refuse) {
        v.setUint16(at, f.op === OP.close ? f.code : f.status);
        at += 2;
      }
    }
    this.buf.set(data, at);
    this.size = at + data.byteLength;
  }

  /** The messages to send, in order; they are the caller's (never written again). */
  take(): Uint8Array[] {
    this.seal();
    return this.sealed.splice(0);
  }

  private seal(): void {
    if (this.size === 0) return;
    for (let at = 0; at < this.size; at += this.limit) {
      this.sealed.push(this.buf.subarray(at, Math.min(this.size, at + this.limit)));
    }
    this.fresh(Math.max(1024, this.size * 2));
    this.size = 0;
  }

  private reserve(n: number): void {
    if (this.size + n <= this.buf.byteLength) return;
    const old = this.buf.subarray(0, this.size);
    this.fresh(Math.max(2 * this.buf.byteLength, this.size + n));
    this.buf.set(old);
  }

  private fresh(capacity: number): void {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }
}

/** Reads the frames of a link's messages, keeping a frame cut between two until it is whole. */
export class Reader {
  private rest: Uint8Array | null = null;

  /** maxFrame: a longer frame is refused (it could only be a broken or hostile peer). */
  constructor(private readonly maxFrame: number) {}

  /** Calls each with every whole frame so far; false when the stream is malformed. */
  feed(msg: Uint8Array, each: (f: Frame) => void): boolean {
    let buf = msg;
    if (this.rest) {
      buf = new Uint8Array(this.rest.byteLength + msg.byteLength);
      buf.set(this.rest);
      buf.set(msg, this.rest.byteLength);
      this.rest = null;
    }
    const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    while (at + 4 <= buf.byteLength) {
      const n = v.getUint32(at);
      if (n === 0 || n > this.maxFrame) return false;
      if (at + 4 + n > buf.byteLength) break;
      const f = frame(buf, v, at + 4, at + 4 + n);
      if (!f) return false;
      each(f);
      at += 4 + n;
    }
    if (at < buf.byteLength) this.rest = buf.subarray(at);
    return true;
  }
}

/** The frame in msg from at to end (its data is a view into msg, not a copy); null: malformed. */
function frame(msg: Uint8Array, v: DataView, at: number, end: number): Frame | null {
  const op = v.getUint8(at);
  const size = end - at;
  if (op === OP.deliver) {
    if (size < 6) return null;
    const count = v.getUint32(at + 2);
    const start = at + 6 + 4 * count;
    if (start > end) return null;
    const to = count === 0
      ? null
      : Array.from({ length: count }, (_, i) => v.getUint32(at + 6 + 4 * i));
    return { op, text: (v.getUint8(at + 1) & 1) === 1, to, data: msg.subarray(start, end) };
  }
  if (size < 5) return null;
  const ch = v.getUint32(at + 1);
  switch (op) {
    case OP.join:
      return fieldsOf(msg.subarray(at + 5, end), ch);
    case OP.message: {
      if (size < 6) return null;
      const flags = v.getUint8(at + 5);
      const data = msg.subarray(at + 6, end);
      return { op, ch, text: (flags & 1) === 1, data };
    }
    case OP.close:
    case OP.refuse: {
      if (size < 7) return null;
      const n = v.getUint16(at + 5);
      const words = decoder.decode(msg.subarray(at + 7, end));
      return op === OP.close
        ? { op, ch, code: n, reason: words }
        : { op, ch, status: n, text: words };
    }
    case OP.admit:
      return { op, ch };
  }
  return null;
}

function fieldsOf(b: Uint8Array, ch: number): Frame | null {
  try {
    const fields = JSON.parse(decoder.decode(b));
    const strings = typeof fields === "object" && fields !== null && !Array.isArray(fields) &&
      Object.values(fields).every((x) => typeof x === "string");
    return strings ? { op: OP.join, ch, fields } : null;
  } catch {
    return null;
  }
}
