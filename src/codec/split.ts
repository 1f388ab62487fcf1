// Framing: a child's output byte stream into messages, and one client message into child input.
import type { Split } from "../config.ts";

/** Turns output chunks into messages; end() flushes what is left when the stream closes. */
export interface Splitter {
  push(chunk: Uint8Array): Uint8Array[];
  end(): Uint8Array[];
}

const LF = 0x0a;
const CR = 0x0d;
const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
// ignoreBOM keeps a leading BOM in the text instead of silently eating it.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A message longer than maxFrameSize comes out in pieces of exactly maxFrameSize bytes, the
 * last one holding the (non-empty) rest; onOversize is called once per such message, with the
 * bytes of it seen when its first piece goes out (a lower bound: the rest may not exist yet).
 */
export function createSplitter(
  split: Split,
  maxFrameSize: number,
  onOversize?: (bytes: number) => void,
): Splitter {
  if (!Number.isInteger(maxFrameSize) || maxFrameSize < 1) {
    throw new RangeError(
      `Cannot split output: maxFrameSize must be a positive integer, got "${maxFrameSize}"`,
    );
  }
  if (split.kind === "binary") return binarySplitter(maxFrameSize);
  const find = split.kind === "lines"
    ? (b: Uint8Array, from: number) => b.indexOf(LF, from)
    : delimiterFinder(split.delimiters);
  return new DelimitedSplitter(find, split.kind === "lines", maxFrameSize, onOversize);
}

function binarySplitter(max: number): Splitter {
  return {
    push(chunk) {
      if (chunk.length <= max) return chunk.length === 0 ? [] : [chunk];
      const out: Uint8Array[] = [];
      for (let i = 0; i < chunk.length; i += max) out.push(chunk.subarray(i, i + max));
      return out;
    },
    end: () => [],
  };
}

/**
 * Finds the first of several delimiter bytes with one indexOf per delimiter, remembering each
 * next position per chunk so a far-away delimiter is not searched for again on every message.
 */
function delimiterFinder(delimiters: number[]): (b: Uint8Array, from: number) => number {
  const ds = [...new Set(delimiters)];
  if (ds.length === 1) return (b, from) => b.indexOf(ds[0], from);
  if (ds.length === 0) return () => -1;
  const next = new Array<number>(ds.length).fill(-1);
  let last: Uint8Array | null = null;
  return (b, from) => {
    if (b !== last || from === 0) {
      last = b;
      next.fill(-2); // -2: not searched yet in this chunk
    }
    let best = -1;
    for (let i = 0; i < ds.length; i++) {
      let at = next[i];
      if (at === -2 || (at !== -1 && at < from)) at = next[i] = b.indexOf(ds[i], from);
      if (at !== -1 && (best === -1 || at < best)) best = at;
    }
    return best;
  };
}

/**
 * Splits on delimiter bytes. The unterminated rest is kept in #carry (our own copy, replaced,
 * never written to, so messages cut from it stay intact) and never exceeds maxFrameSize + 1
 * bytes: the +1 is a trailing CR that may yet turn out to be half of a CRLF.
 */
class DelimitedSplitter implements Splitter {
  #carry: Uint8Array = EMPTY;
  /** Bytes of the current message already delivered as pieces. */
  #sent = 0;

  readonly find: (b: Uint8Array, from: number) => number;
  readonly crlf: boolean;
  readonly max: number;
  readonly onOversize?: (bytes: number) => void;

  constructor(
    find: (b: Uint8Array, from: number) => number,
    crlf: boolean,
    max: number,
    onOversize?: (bytes: number) => void,
  ) {
    this.find = find;
    this.crlf = crlf;
    this.max = max;
    this.onOversize = onOversize;
  }

  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let pos = 0;
    for (let at = this.find(chunk, 0); at !== -1; at = this.find(chunk, pos)) {
      // Fast path: a whole short message inside the chunk, nothing carried.
      const len = at - pos;
      if (this.#carry.length === 0 && this.#sent === 0 && len <= this.max) {
        const cut = this.crlf && len > 0 && chunk[at - 1] === CR ? at - 1 : at;
        out.push(chunk.subarray(pos, cut));
      } else {
        this.#message(out, chunk, pos, at, true);
      }
      pos = at + 1;
    }
    if (pos < chunk.length) this.#message(out, chunk, pos, chunk.length, false);
    return out;
  }

  end(): Uint8Array[] {
    if (this.#carry.length === 0) return [];
    const out: Uint8Array[] = [];
    this.#message(out, EMPTY, 0, 0, true);
    return out;
  }

  /** Handles the message made of #carry followed by chunk[a, b), ended or not at b. */
  #message(out: Uint8Array[], chunk: Uint8Array, a: number, b: number, ended: boolean): void {
    const c = this.#carry.length;
    const len = c + b - a;
    const last = len === 0 ? -1 : len <= c ? this.#carry[len - 1] : chunk[b - 1];
    // A trailing CR is dropped from an ended line; on an open one it is not known content yet.
    const content = this.crlf && last === CR ? len - 1 : len;
    let start = 0;
    while (content - start > this.max) {
      if (this.#sent === 0) this.onOversize?.(content);
      out.push(this.#slice(chunk, a, start, start + this.max));
      start += this.max;
      this.#sent += this.max;
    }
    if (ended) {
      out.push(this.#slice(chunk, a, start, content));
      this.#carry = EMPTY;
      this.#sent = 0;
    } else {
      const rest = this.#slice(chunk, a, start, len);
      this.#carry = start >= c ? rest.slice() : rest;
    }
  }

  /** Bytes [from, to) of #carry followed by chunk[a..]: a view when possible, else a copy. */
  #slice(chunk: Uint8Array, a: number, from: number, to: number): Uint8Array {
    const carry = this.#carry;
    const c = carry.length;
    if (from >= c) return chunk.subarray(a + from - c, a + to - c);
    if (to <= c) return carry.subarray(from, to);
    const joined = new Uint8Array(to - from);
    joined.set(carry.subarray(from));
    joined.set(chunk.subarray(a, a + to - c), c - from);
    return joined;
  }
}

/** Text when the bytes are valid UTF-8, else the bytes, to go out as a binary frame. */
export function toMessage(bytes: Uint8Array): string | Uint8Array {
  try {
    return decoder.decode(bytes);
  } catch {
    return bytes;
  }
}

/** What to write to the child's stdin for one client message. */
export function inputBytes(split: Split, data: string | Uint8Array): Uint8Array {
  if (split.kind === "binary") return typeof data === "string" ? encoder.encode(data) : data;
  if (split.kind === "lines" && typeof data === "string") return encoder.encode(data + "\n");
  const end = split.kind === "lines" ? [LF] : split.delimiters.slice(0, 1);
  const body = typeof data === "string" ? encoder.encode(data) : data;
  const out = new Uint8Array(body.length + end.length);
  out.set(body);
  out.set(end, body.length);
  return out;
}
