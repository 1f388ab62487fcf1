// The frames recently sent to one member, numbered from 0, kept so a resumed client gets what
// it missed: bounded by bytes (--maxbuffer), the oldest dropped first.
import type { Outgoing } from "../codec/outgoing.ts";

/**
 * What one held frame costs beyond its payload (the slot and its share of bookkeeping), so a
 * flood of tiny frames is bounded too, not only large ones.
 */
export const FRAME_OVERHEAD = 32;

export class Ring {
  private frames: Outgoing[] = [];
  /** Index in `frames` of the oldest frame still held. */
  private head = 0;
  /** Number of the oldest frame held (frames before it were dropped). */
  private first = 0;
  private bytes = 0;

  constructor(private readonly limit: number) {}

  /** Frames sent so far: the number the next one gets. */
  get sent(): number {
    return this.first + this.frames.length - this.head;
  }

  /** Bytes held now, overhead included. */
  get held(): number {
    return this.bytes;
  }

  push(msg: Outgoing): void {
    this.frames.push(msg);
    this.bytes += cost(msg);
    while (this.bytes > this.limit && this.head < this.frames.length) this.dropOldest();
    // Shifting an array per frame is quadratic; the dead prefix is cut off in one go instead.
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The frames numbered from `from` on, oldest first; "gone" when some of them were dropped;
   * "ahead" when `from` is beyond what was sent.
   */
  since(from: number): Outgoing[] | "gone" | "ahead" {
    if (from > this.sent) return "ahead";
    if (from < this.first) return "gone";
    return this.frames.slice(this.head + from - this.first);
  }

  /** Lets go of every frame (the membership ended). */
  clear(): void {
    this.first = this.sent;
    this.frames = [];
    this.head = 0;
    this.bytes = 0;
  }

  private dropOldest(): void {
    this.bytes -= cost(this.frames[this.head]);
    // The slot is cleared so the frame itself can be collected before the compaction.
    this.frames[this.head] = undefined as unknown as Outgoing;
    this.head++;
    this.first++;
  }
}

function cost(msg: Outgoing): number {
  return msg.data.byteLength + FRAME_OVERHEAD;
}
