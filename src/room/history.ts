// A room's recent output (--cache), replayed to each new client before live output.

export interface Entry {
  msg: string | Uint8Array;
  /** Only these clients may see it again; null is everyone. */
  to: readonly number[] | null;
}

/** A ring of the last `size` entries. */
export class History {
  private readonly ring: (Entry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly size: number) {
    this.ring = new Array(size);
  }

  add(entry: Entry): void {
    this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.size;
    if (this.count < this.size) this.count++;
  }

  /** The entries client `id` may see, oldest first. */
  replayFor(id: number): (string | Uint8Array)[] {
    const out: (string | Uint8Array)[] = [];
    const first = (this.next - this.count + this.size) % this.size;
    for (let i = 0; i < this.count; i++) {
      const e = this.ring[(first + i) % this.size]!;
      if (e.to === null || e.to.includes(id)) out.push(e.msg);
    }
    return out;
  }

  get length(): number {
    return this.count;
  }
}
