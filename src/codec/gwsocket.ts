// gwsocket's strict framing: a 12-byte big-endian header (client id, type, length), then
// the payload, over the raw byte stream in both directions.

export const GW = { text: 0x01, binary: 0x02, close: 0x08, open: 0x10 } as const;
const TYPES = new Set<number>(Object.values(GW));
const HEADER = 12;

export interface GwFrame {
  /** Client id; 0 addresses every client of the room. */
  id: number;
  type: number;
  payload: Uint8Array;
}

export function encodeFrame(id: number, type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, id);
  view.setUint32(4, type);
  view.setUint32(8, payload.byteLength);
  out.set(payload, HEADER);
  return out;
}

/**
 * Reads frames from a child's output, whatever the chunk boundaries. A frame with an unknown
 * type or a payload over maxPayload is reported and skipped (its payload is read past, never
 * kept), so one bad frame does not take the room down.
 */
export class GwDecoder {
  private buf = new Uint8Array(0);
  /** Payload bytes of a refused frame still to be read past. */
  private skipping = 0;

  constructor(
    private readonly maxPayload: number,
    private readonly onError: (reason: string) => void,
  ) {}

  push(chunk: Uint8Array): GwFrame[] {
    if (this.skipping > 0) {
      const n = Math.min(this.skipping, chunk.byteLength);
      this.skipping -= n;
      chunk = chunk.subarray(n);
    }
    let data = this.buf.byteLength === 0 ? chunk : concat(this.buf, chunk);
    const frames: GwFrame[] = [];
    while (data.byteLength >= HEADER) {
      const view = new DataView(data.buffer, data.byteOffset, HEADER);
      const id = view.getUint32(0);
      const type = view.getUint32(4);
      const length = view.getUint32(8);
      if (!TYPES.has(type) || length > this.maxPayload) {
        this.onError(
          TYPES.has(type)
            ? `frame of ${length} bytes is over the limit of ${this.maxPayload}`
            : `frame has unknown type 0x${type.toString(16)}`,
        );
        const available = Math.min(length, data.byteLength - HEADER);
        this.skipping = length - available;
        data = data.subarray(HEADER + available);
        continue;
      }
      if (data.byteLength < HEADER + length) break;
      frames.push({ id, type, payload: data.slice(HEADER, HEADER + length) });
      data = data.subarray(HEADER + length);
    }
    this.buf = data.byteLength === 0 ? new Uint8Array(0) : data.slice();
    return frames;
  }

  /** Bytes of an incomplete frame left when the stream ended (reported by the caller). */
  get leftover(): number {
    return this.buf.byteLength;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}
