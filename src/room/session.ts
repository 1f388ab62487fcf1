// A member that may outlive its connection (--resume): its socket can drop and be replaced
// while the room keeps it, and the frames sent to it are numbered and held so a return gets
// exactly what it missed. Sessions (suspend.ts) decides when one is kept and when it ends.
import type { Sender } from "../codec/input.ts";
import type { Outgoing } from "../codec/outgoing.ts";
import type { Socket } from "./door.ts";
import { type Member, toMember } from "./member.ts";
import { Ring } from "./ring.ts";
import type { Room } from "./room.ts";

export class Session implements Member {
  readonly id: number;
  readonly remote: string;
  readonly query: string;
  readonly user?: string | null;
  readonly info?: Record<string, unknown> | null;
  /** The frames sent, held for a return. */
  readonly ring: Ring;
  /** The current token; null once the session has ended. */
  token: string | null = null;
  /** The live connection; null while suspended. */
  private live: { socket: Socket; member: Member } | null;
  /** Set once the server closed it: what follows is an end, never a suspension. */
  private closing = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    who: Sender,
    socket: Socket,
    readonly room: Room,
    maxBuffer: number,
    private readonly closeMs = 0,
  ) {
    this.id = who.id;
    this.remote = who.remote;
    this.query = who.query;
    this.user = who.user;
    this.info = who.info;
    this.ring = new Ring(maxBuffer);
    this.live = { socket, member: toMember(who, socket, this.closeMs) };
  }

  get suspended(): boolean {
    return this.live === null && this.token !== null;
  }

  get ended(): boolean {
    return this.token === null;
  }

  send(msg: Outgoing): void {
    this.ring.push(msg);
    this.live?.member.send(msg);
  }

  hold(): void {
    this.live?.member.hold();
  }

  release(): void {
    this.live?.member.release();
  }

  /** A suspended member has nothing queued: what it misses is bounded by its ring instead. */
  backlog(): number {
    return this.live?.member.backlog() ?? 0;
  }

  /** Closed by the room (or a limit): its socket's close that follows ends the session. */
  close(code: number, reason: string): void {
    this.closing = true;
    if (this.live) this.live.member.close(code, reason);
    else this.onEnd?.();
  }

  /** Set by Sessions: forgets the token and the held frames. */
  onEnd?: () => void;

  /** Whether this socket is still the session's connection (not replaced by a return). */
  current(socket: Socket): boolean {
    return this.live?.socket === socket;
  }

  /** Whether a close of its socket with this code may suspend it. */
  mayKeep(code: number): boolean {
    return code === 1006 && !this.closing;
  }

  /** The socket dropped: kept for ms, then expire() runs. */
  suspend(ms: number, expire: () => void): void {
    this.live = null;
    this.timer = setTimeout(expire, ms);
  }

  /** A return: the old connection, if the server had not noticed it died, is cut without a leave. */
  attach(socket: Socket): void {
    clearTimeout(this.timer);
    const old = this.live?.socket;
    this.live = { socket, member: toMember(this, socket, this.closeMs) };
    old?.terminate();
  }

  /** The session is over: no timer, no token, no frames held. */
  finish(): void {
    clearTimeout(this.timer);
    this.token = null;
    this.ring.clear();
    const old = this.live?.socket;
    this.live = null;
    old?.terminate();
  }
}
