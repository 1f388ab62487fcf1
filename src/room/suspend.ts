// Which memberships survive a dropped connection (--resume), and for how long: the tokens of
// every session on this node, the Welcome and Resumed frames, the suspension window, and the
// refusals (close code 4410). The program never hears of any of it: a suspended member is
// still in its room, and only its end (a clean close, a refusal, the window) is a leave.
import type { Sender } from "../codec/input.ts";
import { prepare } from "../codec/outgoing.ts";
import type { Logger } from "../log.ts";
import type { Socket } from "./door.ts";
import {
  LOST_REASON,
  newToken,
  REFUSED,
  REFUSED_REASON,
  type ResumeAsk,
  resumedFrame,
  welcomeFrame,
} from "./resume.ts";
import type { Room } from "./room.ts";
import { Session } from "./session.ts";
import type { Stats } from "./stats.ts";

export interface SessionsDeps {
  /** --resume, in seconds; 0: no membership outlives its connection. */
  seconds: number;
  maxBuffer: number;
  /** --closems, for the members' 1008 grace. */
  closeMs: number;
  log: Logger;
  stats: Stats;
}

type Return = Extract<ResumeAsk, { kind: "return" }>;

export class Sessions {
  /** Each live session by its current token (a token is forgotten once used). */
  private readonly byToken = new Map<string, Session>();
  private suspendedNow = 0;

  constructor(private readonly d: SessionsDeps) {}

  /** Members kept for a return now (scalesocket_suspended_members). */
  get suspended(): number {
    return this.suspendedNow;
  }

  /** Sessions with a token now, live or suspended. */
  get size(): number {
    return this.byToken.size;
  }

  /** The room of the session this token names, while that room takes members. */
  roomOf(token: string): Room | null {
    const room = this.byToken.get(token)?.room;
    return room?.state === "running" ? room : null;
  }

  /**
   * A client that asked for a Welcome: it gets one now, before anything else. With --resume,
   * its member is a Session; without, an ordinary member (null: the caller makes it).
   */
  welcome(who: Sender, socket: Socket, room: Room): Session | null {
    if (this.d.seconds <= 0) {
      socket.send(prepare(welcomeFrame({ id: who.id, resume: 0, user: who.user })));
      return null;
    }
    const s = new Session(who, socket, room, this.d.maxBuffer, this.d.closeMs);
    s.onEnd = () => this.end(s);
    socket.send(prepare(welcomeFrame({ ...this.greeting(s), id: who.id })));
    return s;
  }

  /**
   * A return to `room` on `socket` by `user` (the verified one, if any): the session it takes
   * over, after its Resumed frame and the frames it missed; or null after a close with 4410.
   */
  resume(ask: Return, socket: Socket, room: Room, user?: string | null): Session | null {
    const s = this.byToken.get(ask.token);
    const log = this.d.log.with({ room: room.name });
    if (!s || s.room !== room || ask.received === null || this.d.seconds <= 0) {
      return this.refuse(socket, log, "unknown token");
    }
    // With authentication, a token is no way to become someone else.
    if ((s.user ?? null) !== (user ?? null)) return this.refuse(socket, log, "another user", s.id);
    const missed = s.ring.since(ask.received);
    if (missed === "ahead") return this.refuse(socket, log, "count beyond what was sent", s.id);
    if (missed === "gone") {
      this.d.stats.resumed("lost");
      log.info("resume failed: missed output no longer held", { id: s.id });
      s.room.leave(s);
      this.end(s);
      socket.close(REFUSED, LOST_REASON);
      return null;
    }
    if (s.suspended) this.suspendedNow--;
    s.attach(socket);
    socket.send(prepare(resumedFrame(this.greeting(s), missed.length)));
    for (const msg of missed) socket.send(msg);
    this.d.stats.resumed("resumed");
    log.info("client resumed", { id: s.id, missed: missed.length });
    return s;
  }

  /**
   * The session's socket closed; true when the member has left the room, false when it is
   * kept (suspended, or the socket was already replaced by a return).
   */
  closed(s: Session, socket: Socket, code: number): boolean {
    if (!s.current(socket)) return s.ended;
    if (!s.mayKeep(code) || s.ended) {
      s.room.leave(s);
      this.end(s);
      return true;
    }
    this.suspendedNow++;
    s.suspend(this.d.seconds * 1000, () => {
      this.d.log.info("resume window ended", { room: s.room.name, id: s.id });
      s.room.leave(s);
      this.end(s);
    });
    return false;
  }

  /** A fresh token (the previous one is void), and the fields of Welcome and Resumed. */
  private greeting(s: Session) {
    if (s.token !== null) this.byToken.delete(s.token);
    s.token = newToken();
    this.byToken.set(s.token, s);
    return { id: s.id, resume: this.d.seconds, token: s.token, user: s.user };
  }

  private end(s: Session): void {
    if (s.suspended) this.suspendedNow--;
    if (s.token !== null) this.byToken.delete(s.token);
    s.finish();
  }

  private refuse(socket: Socket, log: Logger, why: string, id?: number): null {
    this.d.stats.resumed("refused");
    log.info(`resume refused: ${why}`, id === undefined ? {} : { id });
    socket.close(REFUSED, REFUSED_REASON);
    return null;
  }
}
