// The link protocol: how one websocket between a relaying node and a room's owner carries every
// client that node relays to the room. Each websocket message is a batch of frames, each a u32
// length and the frame; docs/decisions.md ("One link per room and relaying node") lists them.

/** Frame kinds; 1-3 go to the owner, 3-6 come from it. */
export const OP = { join: 1, message: 2, close: 3, admit: 4, refuse: 5, deliver: 6 } as const;

export type Frame =
  /** A client asks to join: the signed headers its own relayed handshake would carry. */
  | { op: 1; ch: number; fields: Record<string, string> }
  /** A client's message, or a part of one (more: the next message frame continues it). */
  | { op: 2; ch: number; text: boolean; more: boolean; data: Uint8Array }
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

function head(size: number, fill: (v: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size);
  fill(new DataView(bytes.buffer));
  return bytes;
}

/** A frame as the parts to write one after the other (a payload is never copied here). */
export function encode(f: Frame): Uint8Array[] {
  switch (f.op) {
    case OP.join:
      return [head(5, (v) => (v.setUint8(0, f.op), v.setUint32(1, f.ch))), json(f.fields)];
    case OP.message:
      return [
        head(6, (v) => {
          v.setUint8(0, f.op);
          v.setUint32(1, f.ch);
          v.setUint8(5, (f.text ? 1 : 0) | (f.more ? 2 : 0));
        }),
        f.data,
      ];
    case OP.close:
    case OP.refuse: {
      const n = f.op === OP.close ? f.code : f.status;
      const words = encoder.encode(f.op === OP.close ? f.reason : f.text);
      return [
        head(7, (v) => (v.setUint8(0, f.op), v.setUint32(1, f.ch), v.setUint16(5, n))),
        words,
      ];
    }
    case OP.admit:
      return [head(5, (v) => (v.setUint8(0, f.op), v.setUint32(1, f.ch)))];
    case OP.deliver: {
      const to = f.to ?? [];
      const h = head(6 + 4 * to.length, (v) => {
        v.setUint8(0, f.op);
        v.setUint8(1, f.text ? 1 : 0);
        v.setUint32(2, to.length);
        to.forEach((ch, i) => v.setUint32(6 + 4 * i, ch));
      });
      return [h, f.data];
    }
  }
}

function json(fields: Record<string, string>): Uint8Array {
  return encoder.encode(JSON.stringify(fields));
}

/** Frames gathered into websocket messages of at most limit bytes. */
export class Batch {
  private parts: Uint8Array[] = [];
  private size = 0;
  private readonly sealed: Uint8Array[] = [];

  constructor(readonly limit: number) {}

  get empty(): boolean {
    return this.size === 0 && this.sealed.length === 0;
  }

  /** A frame's parts; one frame (with its length) must fit in limit. */
  add(parts: Uint8Array[]): void {
    const n = parts.reduce((sum, p) => sum + p.byteLength, 0);
    if (this.size > 0 && this.size + 4 + n > this.limit) this.seal();
    this.parts.push(head(4, (v) => v.setUint32(0, n)), ...parts);
    this.size += 4 + n;
  }

  /** The messages to send, in order. */
  take(): Uint8Array[] {
    this.seal();
    return this.sealed.splice(0);
  }

  private seal(): void {
    if (this.size === 0) return;
    const msg = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      msg.set(p, at);
      at += p.byteLength;
    }
    this.sealed.push(msg);
    this.parts = [];
    this.size = 0;
  }
}

/** Calls each with every frame of msg; false when msg is not a well-formed batch. */
export function read(msg: Uint8Array, each: (f: Frame) => void): boolean {
  const v = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  let at = 0;
  while (at < msg.byteLength) {
    if (at + 4 > msg.byteLength) return false;
    const n = v.getUint32(at);
    const end = at + 4 + n;
    if (end > msg.byteLength || n < 1) return false;
    const f = frame(
      msg.subarray(at + 4, end),
      new DataView(msg.buffer, msg.byteOffset + at + 4, n),
    );
    if (!f) return false;
    each(f);
    at = end;
  }
  return true;
}

/** One frame's fields (data is a view into the message, not a copy); null when malformed. */
function frame(b: Uint8Array, v: DataView): Frame | null {
  const op = v.getUint8(0);
  if (op === OP.deliver) {
    if (b.byteLength < 6) return null;
    const count = v.getUint32(2);
    const start = 6 + 4 * count;
    if (start > b.byteLength) return null;
    const to = count === 0 ? null : Array.from({ length: count }, (_, i) => v.getUint32(6 + 4 * i));
    return { op, text: (v.getUint8(1) & 1) === 1, to, data: b.subarray(start) };
  }
  if (b.byteLength < 5) return null;
  const ch = v.getUint32(1);
  switch (op) {
    case OP.join:
      return fieldsOf(b.subarray(5), ch);
    case OP.message: {
      if (b.byteLength < 6) return null;
      const flags = v.getUint8(5);
      return { op, ch, text: (flags & 1) === 1, more: (flags & 2) === 2, data: b.subarray(6) };
    }
    case OP.close:
    case OP.refuse: {
      if (b.byteLength < 7) return null;
      const n = v.getUint16(5);
      const words = decoder.decode(b.subarray(7));
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
