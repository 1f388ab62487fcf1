// Byte helpers the unit tests share: joining buffers, cutting them at chosen offsets, and raw
// gwsocket headers.

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Cuts bytes at the given offsets (sorted, deduplicated), empty chunks included. */
export function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(bytes.slice(prev, c));
    prev = c;
  }
  out.push(bytes.slice(prev));
  return out;
}

/** A raw gwsocket header (id, type, length), for frames encodeFrame would never write. */
export function gwHeader(id: number, type: number, length: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint32(0, id);
  view.setUint32(4, type);
  view.setUint32(8, length);
  return out;
}
