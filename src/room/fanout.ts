// Fan-out: a room's output to its members, encoded once per message and written in batches.
import { type Outgoing, prepare } from "../codec/outgoing.ts";
import type { History } from "./history.ts";
import type { Delivery } from "../codec/output.ts";
import type { Member } from "./member.ts";
import type { Stats } from "./stats.ts";

export interface FanoutDeps {
  members: ReadonlyMap<number, Member>;
  maxBuffer: number;
  stats: Stats;
  history: History | null;
  /** Closes a member that failed or fell behind (it leaves the room). */
  kick(member: Member, reason: string): void;
}

export class Fanout {
  constructor(private readonly d: FanoutDeps) {}

  /** Runs fn with every member's writes gathered, so a burst of lines is one write each. */
  batch(fn: () => void): void {
    const held = [...this.d.members.values()];
    for (const m of held) m.hold();
    try {
      fn();
    } finally {
      for (const m of held) m.release();
    }
  }

  deliver(d: Delivery): void {
    if (d.cache) this.d.history?.add({ msg: d.msg, to: d.to });
    const out = prepare(d.msg);
    let sent = 0;
    if (d.to === null) {
      for (const m of this.d.members.values()) sent += this.sendTo(m, out);
    } else {
      for (const id of d.to) {
        const m = this.d.members.get(id);
        if (m) sent += this.sendTo(m, out);
      }
    }
    this.d.stats.delivered(out.data, sent);
  }

  /** The history a new member may see, before anything live. */
  replay(member: Member): void {
    for (const msg of this.d.history?.replayFor(member.id) ?? []) {
      this.sendTo(member, prepare(msg));
    }
  }

  /** Sends to one member; 1 if it was sent, 0 if the member failed. */
  private sendTo(m: Member, out: Outgoing): number {
    try {
      m.send(out);
    } catch (err) {
      // One broken member must not keep the output from the others.
      this.d.kick(m, `send failed: ${(err as Error).message}`);
      return 0;
    }
    // The room never waits for a slow member: past its budget it is closed, not skipped.
    if (m.backlog() > this.d.maxBuffer) {
      this.d.stats.slowClient();
      this.d.kick(m, "client too slow");
    }
    return 1;
  }
}
