// What the edge reports of an open socket, passed to its room: messages in, and the close that
// ends the member, or (--resume, a dropped connection) only suspends it.
import type { Logger } from "../log.ts";
import type { Membership, Socket } from "./door.ts";
import type { Limits } from "./limits.ts";
import type { Member } from "./member.ts";
import type { Room } from "./room.ts";
import type { Session } from "./session.ts";
import type { Sessions } from "./suspend.ts";
import type { ResumeAsk } from "./resume.ts";

export interface MembershipDeps {
  log: Logger;
  /** The connection's socket closed (after its member left, or was kept). */
  left(): void;
}

/** kept: the session and its keeper when the member may outlive this socket. */
export function membership(
  d: MembershipDeps,
  room: Room,
  member: Member,
  limits: Limits,
  kept: { sessions: Sessions; session: Session; socket: Socket } | null,
): Membership {
  const opened = Date.now();
  return {
    // --maxframesize is enforced by the socket from the frame header, before any payload.
    message: (data) => limits.allow() && room.input(member, data),
    closed: (code) => {
      limits.stop();
      // Sessions leaves the room itself when the member's end comes with this close.
      const gone = kept ? kept.sessions.closed(kept.session, kept.socket, code) : true;
      if (!kept) room.leave(member);
      const { id, remote } = member;
      d.log.info(gone ? "client disconnected" : "client dropped, membership kept", {
        room: room.name,
        id,
        remote,
        code,
        ms: Date.now() - opened,
      });
      d.left();
    },
  };
}

/**
 * A return with a token: the member it names takes this socket, or the socket is closed with
 * 4410 and nothing more comes of it.
 */
export function rejoin(
  sessions: Sessions,
  ask: Extract<ResumeAsk, { kind: "return" }>,
  socket: Socket,
  room: Room,
  d: MembershipDeps & { limits(m: Member): Limits; user?: string | null },
): Membership {
  const session = sessions.resume(ask, socket, room, d.user);
  if (!session) return { message: () => {}, closed: d.left };
  return membership(d, room, session, d.limits(session), { sessions, session, socket });
}
