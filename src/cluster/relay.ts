// Relays a client to the node that owns its room, as one channel of the room's link (link.ts):
// messages and close codes both ways. The owner's answer is known before the client is
// upgraded, so a refusal there reaches the client as the HTTP status it would have got directly.
import type { Outgoing } from "../codec/outgoing.ts";
import type { Membership, Socket, Ticket } from "../room/door.ts";
import type { ChannelEnd, Link } from "./link.ts";

export type Shut = (code: number, reason: string) => void;

export interface RelayHooks {
  /** Largest backlog either side may build before that side's client is cut off with 1008. */
  maxBuffer: number;
  /** The client's socket opened; shut closes both sides (the server is shutting down). */
  opened(shut: Shut): void;
  /** It closed; shut is the one opened() was given. */
  closed(shut: Shut): void;
}

const encoder = new TextEncoder();

/** One relayed client: what the owner says to it, until its socket opens and after. */
export class Relayed implements ChannelEnd {
  // The owner may speak (a --cache replay) before the client's socket is open: kept for it.
  private early: (() => void)[] | null = [];
  private client: Socket | null = null;
  private over = false;
  private corked = false;
  private link: Link | null = null;
  private ch = 0;

  constructor(private readonly hooks: RelayHooks) {}

  deliver(out: Outgoing): void {
    if (this.early) this.early.push(() => this.send(out));
    else if (!this.over) this.send(out);
  }

  private send(out: Outgoing): void {
    const client = this.client!;
    // The owner's frames of one read arrive in one turn: gathered into one write.
    this.cork(client);
    client.send(out);
    if (client.bufferedAmount > this.hooks.maxBuffer) this.cut("client too slow");
  }

  closed(code: number, reason: string): void {
    this.run(() => this.finish(...clientClose(code, reason)));
  }

  /** The ticket for the client the owner admitted as channel ch of link. */
  ticket(room: string, link: Link, ch: number): Ticket {
    this.link = link;
    this.ch = ch;
    return {
      room,
      // The client never opened: as far as the owner knows, it vanished.
      cancel: () => link.close(ch, 1006, ""),
      open: (socket) => this.open(socket),
    };
  }

  private open(socket: Socket): Membership {
    const link = this.link!;
    const shut: Shut = (code, reason) => {
      this.finish(code, reason);
      link.close(this.ch, 1001, "");
    };
    this.client = socket;
    this.hooks.opened(shut);
    for (const run of this.early!) run();
    this.early = null;
    return {
      message: (data) => {
        if (this.over) return;
        const text = typeof data === "string";
        link.send(this.ch, text ? encoder.encode(data) : data, text);
        if (link.bufferedAmount > this.hooks.maxBuffer) this.cut("input buffer full");
      },
      closed: (code, reason) => {
        this.over = true;
        this.hooks.closed(shut);
        link.close(this.ch, ...ownerClose(code, reason));
      },
    };
  }

  private run(step: () => void): void {
    if (this.early) this.early.push(step);
    else if (!this.over) step();
  }

  /** This client alone falls behind: it is cut off, the owner sees it leave. */
  private cut(reason: string): void {
    this.finish(1008, reason);
    this.link!.close(this.ch, 1000, "");
  }

  private cork(socket: Socket): void {
    if (this.corked) return;
    this.corked = true;
    socket.hold();
    queueMicrotask(() => {
      this.corked = false;
      socket.release();
    });
  }

  private finish(code: number, reason: string): void {
    if (this.over) return;
    this.over = true;
    try {
      this.client?.close(code, reason);
    } catch {
      // Already closing.
    }
  }
}

/**
 * The owner's close, as the client gets it. 1005 (no code) is a plain close; 1006 means the
 * owner vanished without a close frame: the room starts again elsewhere, so try again later.
 */
function clientClose(code: number, reason: string): [number, string] {
  if (code === 1005) return [1000, ""];
  if (code === 1006) return [1013, "room owner unreachable, try again"];
  return [code, reason];
}

/**
 * The client's close, as the owner gets it: 1006 (it vanished) stays, so the owner can tell a
 * drop from a goodbye; other codes a client cannot send become 1000.
 */
function ownerClose(code: number, reason: string): [number, string] {
  const sendable = code === 1000 || code === 1006 ||
    (code >= 1001 && code <= 1014 && ![1004, 1005].includes(code)) ||
    (code >= 3000 && code <= 4999);
  return sendable ? [code, reason] : [1000, ""];
}
