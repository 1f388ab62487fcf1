// A latency histogram in microseconds with 16 buckets per power of two (about 6 % error),
// small enough to send between processes and merge by adding.

const SUB = 16;
const SIZE = SUB + 27 * SUB; // up to 2^31 µs, about 36 minutes
const MAX = 2 ** 31 - 1;

export class Hist {
  readonly counts: number[];

  constructor(counts?: number[]) {
    this.counts = counts ? counts.slice() : new Array<number>(SIZE).fill(0);
  }

  add(us: number): void {
    const v = us <= 0 ? 0 : us >= MAX ? MAX : us | 0;
    this.counts[indexOf(v)]++;
  }

  merge(other: number[]): void {
    for (let i = 0; i < SIZE; i++) this.counts[i] += other[i] ?? 0;
  }

  get total(): number {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }

  /** The q-quantile (0..1) in microseconds, the middle of its bucket; NaN when empty. */
  quantile(q: number): number {
    const total = this.total;
    if (total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i];
      if (seen >= rank) return middle(i);
    }
    return middle(SIZE - 1);
  }
}

function indexOf(v: number): number {
  if (v < SUB) return v;
  const e = 31 - Math.clz32(v); // 4 and up
  return SUB + (e - 4) * SUB + ((v >>> (e - 4)) - SUB);
}

function middle(i: number): number {
  if (i < SUB) return i;
  const e = Math.floor((i - SUB) / SUB) + 4;
  const sub = (i - SUB) % SUB;
  const low = (SUB + sub) * 2 ** (e - 4);
  return low + 2 ** (e - 4) / 2;
}
