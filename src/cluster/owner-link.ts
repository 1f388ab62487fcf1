// The owner's side of a link from a relaying node (link.ts is the other side): each client on
// it is admitted through the door as a relayed connection of its own and gets a socket that
// writes into the link; a message the room sends to several of them crosses the link once.
import { Buffer } from "node:buffer";
import type { Outgoing } from "../codec/outgoing.ts";
import type { Membership, Refusal, Socket, Ticket } from "../room/door.ts";
import { Batch, type Frame, MAX_FRAME, OP, Reader } from "./mux.ts";

/** Admits one client from the signed headers its join carried. */
export type AdmitFields = (headers: [string, string][]) => Promise<Ticket | Refusal>;

interface Seat {
  membership: Membership | null;
  /** We closed it and wait for the relaying node's answer. */
  closing: boolean;
  /** The last batch entry it was sent (a room may name a member twice in one `_to`). */
  last: Entry | null;
}

interface Entry {
  out: Outgoing;
  to: number[];
  /** Some channel appears twice: it cannot be sent as "every channel". */
  twice: boolean;
}

export class OwnerLink {
  /** Clients admitted and not closed by either side: what "every channel" means. */
  private readonly seats = new Map<number, Seat>();
  private readonly closing = new Map<number, Seat>();
  /** Joins whose admission is under way; true once the client left meanwhile. */
  private readonly admitting = new Map<number, boolean>();
  /** Messages sent in this batch, each with the channels it went to, in order. */
  private pending: Entry[] = [];
  private readonly batch = new Batch(Infinity);
  private readonly reader = new Reader(MAX_FRAME);
  private holds = 0;
  private flushing = false;
  private over = false;

  constructor(private readonly link: Socket, private readonly admit: AdmitFields) {}

  /** What the link's own socket reports to. */
  membership(): Membership {
    return {
      message: (data) => {
        if (typeof data === "string" || !this.reader.feed(data, (f) => this.frame(f))) {
          this.link.close(1002, "malformed link frame");
        }
      },
      closed: () => this.lost(),
    };
  }

  private frame(f: Frame): void {
    if (f.op === OP.join) {
      this.admitting.set(f.ch, false);
      void this.join(f.ch, Object.entries(f.fields));
    } else if (f.op === OP.message) {
      const seat = this.seats.get(f.ch);
      if (!seat?.membership) return;
      seat.membership.message(f.text ? text(f.data) : f.data);
    } else if (f.op === OP.close) {
      if (this.admitting.has(f.ch)) return void this.admitting.set(f.ch, true);
      this.frames();
      const seat = this.seats.get(f.ch) ?? this.closing.get(f.ch);
      this.seats.delete(f.ch);
      this.closing.delete(f.ch);
      seat?.membership?.closed(f.code, f.reason);
    }
  }

  private async join(ch: number, headers: [string, string][]): Promise<void> {
    const answer = await this.admit(headers).catch((err: Error): Refusal => ({
      status: 503,
      reason: "relay_failed",
      text: `Cannot admit the relayed client: ${err.message}`,
    }));
    const left = this.admitting.get(ch);
    this.admitting.delete(ch);
    if ("status" in answer) return this.write({ op: OP.refuse, ch, ...answer });
    if (left || this.over) return answer.cancel();
    const seat: Seat = { membership: null, closing: false, last: null };
    this.seats.set(ch, seat);
    // Before anything the room says to it (a --cache replay comes as it opens).
    this.write({ op: OP.admit, ch });
    seat.membership = answer.open(this.socket(ch, seat));
  }

  /** The socket the room sees for channel ch. */
  private socket(ch: number, seat: Seat): Socket {
    const link = this.link;
    const open = () => this.seats.has(ch) || this.closing.has(ch);
    return {
      send: (out) => this.queue(ch, seat, out),
      get bufferedAmount() {
        return link.bufferedAmount;
      },
      get closed() {
        return !open();
      },
      close: (code, reason) => {
        if (seat.closing || this.seats.get(ch) !== seat) return;
        this.frames();
        seat.closing = true;
        this.seats.delete(ch);
        this.closing.set(ch, seat);
        this.write({ op: OP.close, ch, code, reason });
      },
      // No answer came: the client is gone as far as the room is concerned.
      terminate: () => {
        this.frames();
        if (!this.closing.delete(ch) && !this.seats.delete(ch)) return;
        this.write({ op: OP.close, ch, code: 1006, reason: "" });
        seat.membership?.closed(1006, "");
      },
      hold: () => void this.holds++,
      release: () => {
        if (this.holds > 0 && --this.holds === 0) this.flush();
      },
    };
  }

  /** One message for one channel; the same message for the next channel joins its entry. */
  private queue(ch: number, seat: Seat, out: Outgoing): void {
    // Closed already (a websocket drops what is sent after its close too).
    if (this.seats.get(ch) !== seat) return;
    let entry = this.pending[this.pending.length - 1];
    if (entry?.out === out) entry.to.push(ch);
    else this.pending.push(entry = { out, to: [ch], twice: false });
    if (seat.last === entry) entry.twice = true;
    seat.last = entry;
    this.later();
  }

  /**
   * The messages sent so far become frames: to every channel, or to the ones named. Called
   * before any channel leaves `seats`, so every channel named is still in it.
   */
  private frames(): void {
    if (this.pending.length === 0) return;
    for (const { out, to, twice } of this.pending) {
      const all = !twice && to.length === this.seats.size;
      this.batch.add({ op: OP.deliver, text: out.text, to: all ? null : to, data: out.data });
    }
    this.pending = [];
  }

  private write(f: Frame): void {
    this.frames();
    this.batch.add(f);
    this.later();
  }

  private later(): void {
    if (this.flushing || this.holds > 0) return;
    this.flushing = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushing = false;
    this.frames();
    if (this.batch.empty || this.over) return;
    this.link.hold();
    for (const msg of this.batch.take()) this.link.send({ text: false, data: msg });
    this.link.release();
  }

  /** The link is gone: every client on it vanished, as far as the owner can tell. */
  private lost(): void {
    this.over = true;
    for (const ch of this.admitting.keys()) this.admitting.set(ch, true);
    const seats = [...this.seats.values(), ...this.closing.values()];
    this.seats.clear();
    this.closing.clear();
    for (const seat of seats) seat.membership?.closed(1006, "");
  }
}

function text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}
