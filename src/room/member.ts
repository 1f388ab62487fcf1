// A socket as a room sees it: a Member with the id its room's owner gave it.
import type { Sender } from "../codec/input.ts";
import type { Outgoing } from "../codec/outgoing.ts";
import type { Socket } from "./door.ts";
import { CLOSE } from "./room.ts";

/** A client of a room: a local websocket, or (later) one relayed from another node. */
export interface Member extends Sender {
  send(msg: Outgoing): void;
  /** Gathers writes until release() (a burst of output becomes one write). */
  hold(): void;
  release(): void;
  /** Bytes queued towards this member and not yet sent. */
  backlog(): number;
  close(code: number, reason: string): void;
}

/**
 * How long a client closed with 1008 has to answer the close frame before it is cut off:
 * one that stopped reading would otherwise hold its socket for ws's 30 s. --closems lengthens
 * it, as it lengthens each wait for a stopping process.
 */
export const CLOSE_GRACE_MS = 2_000;

export function toMember(who: Sender, socket: Socket, closeMs = 0): Member {
  // Field by field, not spread: a spread gave each member a hidden class of its own (a heap
  // snapshot of 1,000 idle clients held 1,000 of them, with their descriptors).
  return {
    id: who.id,
    remote: who.remote,
    query: who.query,
    user: who.user,
    info: who.info,
    send: (msg) => socket.send(msg),
    hold: () => socket.hold(),
    release: () => socket.release(),
    backlog: () => socket.bufferedAmount,
    close(code, reason) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closing: nothing more to say to this client.
      }
      // A client that does not read never answers our close frame: cut it off.
      if (code === CLOSE.policy) {
        setTimeout(() => socket.closed || socket.terminate(), CLOSE_GRACE_MS + closeMs);
      }
    },
  };
}
