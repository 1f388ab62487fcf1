// Admission, all of it in one place: how a websocket request gets a place in a room (--oneshot,
// --maxrooms, the --tcp port), how the place is held while the socket is upgraded (and let go
// when the upgrade never completes), and how it becomes a member once the socket is open, with
// the id the room's owner gives it, even when the room ended in the meantime.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import {
  type AdmitRequest,
  andThen,
  authorized,
  type Membership,
  type Refusal,
  type Socket,
  type Sync,
  type Ticket,
} from "./door.ts";
import type { Identity } from "../auth/identity.ts";
import { childEnvFor, env4 } from "./child-env.ts";
import { limitsFor } from "./limits.ts";
import { type Member, toMember } from "./member.ts";
import { membership, rejoin } from "./membership.ts";
import { type ResumeAsk, takeResumeAsk } from "./resume.ts";
import type { OpenOptions } from "./registry.ts";
import type { Program, Room } from "./room.ts";
import type { Stats } from "./stats.ts";
import { Sessions } from "./suspend.ts";

/** Which room a request is for, and what its child is told of the request. */
export interface Route {
  name: string;
  /** A room of one connection (--perconnection): never found, listed or joined by name. */
  solo: boolean;
  /** What the room runs, if not the server's CMD (--dir). */
  program?: Program;
  /** ROOM for the child; null in --perconnection mode, where there are no rooms. */
  envRoom: string | null;
  scriptName: string;
  pathInfo: string;
  /** Set last in the child's environment (cluster mode: SCALESOCKET_EPOCH, SCALESOCKET_NODE). */
  env?: Record<string, string>;
}

/** Finds the route of a request path (as sent, still percent-encoded), or refuses it. */
export type Router = (rawPath: string) => Sync<Route | Refusal>;

/** A connection whose socket is open; room is null when it was closed at once with 1013. */
export interface Connection {
  room: Room | null;
}

export interface AdmitDeps {
  config: Config;
  runtime: Runtime;
  log: Logger;
  stats: Stats;
  version: string;
  route: Router;
  /** The joinable room of this name, created if needed; null when --maxrooms is reached. */
  open(name: string, opts: OpenOptions): Room | null;
  /**
   * Whether a client whose room began stopping during its upgrade gets a fresh room (true), or
   * is closed with 1013 to try again (cluster mode: a fresh room needs a lease claimed first).
   */
  reopen: boolean;
  /** A connection's socket is open; closed() follows once it has closed and its member left. */
  opened(conn: Connection): void;
  closed(conn: Connection): void;
  /** --oneshot: the single connection has ended (the server then stops). */
  oneshotDone(): void;
}

/** How long an upgrade may take before its place in the room lapses. */
const HANDSHAKE_MS = 10_000;

const FULL: Refusal = { status: 429, reason: "too_many_rooms", text: "Too many rooms" };
const NO_PORT: Refusal = { status: 503, reason: "no_free_port", text: "No free port for --tcp" };
const ROOM_FULL: Refusal = { status: 429, reason: "room_full", text: "Room full" };
const ONESHOT: Refusal = { status: 429, reason: "oneshot", text: "Already serving a client" };

/** The local door's ticket; it names the room it holds a place in (for tests). */
export interface LocalTicket extends Ticket {
  readonly place: Room;
}

export class Admission {
  /** Member ids are given here, by the rooms' owner, so they stay unique within a room. */
  private lastId = 0;
  /** --oneshot: set once the single connection has been admitted. */
  private oneshotUsed = false;
  /** The server's environment, read once (the child gets the --passenv part of it). */
  readonly serverEnv: Record<string, string>;
  /** --resume: the memberships that may outlive their connection, and their tokens. */
  readonly sessions: Sessions;

  constructor(readonly d: AdmitDeps) {
    this.serverEnv = d.runtime.env();
    const { config, log, stats } = d;
    this.sessions = new Sessions({
      seconds: config.resume,
      maxBuffer: config.maxBuffer,
      closeMs: config.closeMs,
      log,
      stats,
    });
  }

  /**
   * found: the route, when the caller already has it (the cluster door routes to claim). A
   * plain value unless a step has to wait (a --dir lookup, a token check, a --tcp port).
   */
  admit(request: AdmitRequest, found?: Route): Sync<LocalTicket | Refusal> {
    const { config } = this.d;
    // Before anything else reads the query: the program never sees these two parameters.
    const { url, ask } = takeResumeAsk(request.url);
    const asked = { ...request, url };
    if (config.oneshot && this.oneshotUsed) return ONESHOT;
    return andThen(found ?? this.d.route(rawPath(asked.url)), (route) => {
      if ("status" in route) return route;
      // Before the room is opened: a client that is not let in never starts a child.
      return andThen(authorized(asked, route.solo ? null : route.name), (req) => {
        if ("status" in req) return req;
        return this.place(req, route, ask);
      });
    });
  }

  private place(
    req: AdmitRequest,
    route: Route,
    ask: ResumeAsk | null,
  ): Sync<LocalTicket | Refusal> {
    const { config } = this.d;
    // Checked again: another request may have taken the one connection while this one waited.
    if (config.oneshot && this.oneshotUsed) return ONESHOT;
    const room = this.ownRoom(ask, route) ??
      this.d.open(route.name, { solo: route.solo, program: route.program });
    if (!room) return FULL;
    // A return takes back the place its member still holds.
    const returning = ask?.kind === "return";
    if (config.maxClients !== null && room.occupancy >= config.maxClients && !returning) {
      return ROOM_FULL;
    }
    const held = (): LocalTicket => {
      if (config.oneshot) this.oneshotUsed = true;
      return new Place(this, req, route, room, ask);
    };
    // --tcp: a new room waits for its port; with none free it is refused before the upgrade.
    if (!room.port) return held();
    return room.port.then((port) => port === null ? NO_PORT : held());
  }

  /** --perconnection: a return goes back to its own room, which no name finds. */
  private ownRoom(ask: ResumeAsk | null, route: Route): Room | null {
    if (ask?.kind !== "return" || !route.solo) return null;
    const room = this.sessions.roomOf(ask.token);
    const { cmd, args } = route.program ?? this.d.config;
    const same = room?.program.cmd === cmd && room.program.args.join("\0") === args.join("\0");
    return same ? room : null;
  }

  nextId(): number {
    return ++this.lastId;
  }

  /** A connection's socket closed, after its member left the room. */
  left(conn: Connection): void {
    this.d.closed(conn);
    if (this.d.config.oneshot) this.d.oneshotDone();
  }
}

/** One admitted request: a place held in a room until its socket opens or its upgrade fails. */
class Place implements LocalTicket {
  private release: () => void;
  private readonly timer: ReturnType<typeof setTimeout>;
  /**
   * Only the connection that starts a room's child needs its request: dropped after the join,
   * so an idle connection keeps no copy of it.
   */
  private request: AdmitRequest | null;

  constructor(
    private readonly a: Admission,
    req: AdmitRequest,
    private readonly route: Route,
    public place: Room,
    private readonly ask: ResumeAsk | null,
  ) {
    this.request = req;
    this.release = place.reserve();
    this.timer = setTimeout(() => this.release(), HANDSHAKE_MS);
  }

  get room(): string {
    return this.place.name;
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.release();
  }

  open(socket: Socket): Membership {
    const d = this.a.d;
    const req = this.request!;
    const id = this.a.nextId();
    const query = new URL(req.url).search.slice(1);
    const identity = req.identity ?? null;
    const who = {
      remote: env4(req.peer.address),
      query,
      user: identity?.user,
      info: identity?.info,
    };
    const conn: Connection = { room: null };
    d.opened(conn);
    const { ends, limits } = lasting(this.a, conn, identity);
    const room = this.current();
    if (!room) {
      const full = d.reopen;
      d.stats.refused(full ? "too_many_rooms" : "room_moving");
      socket.close(1013, full ? "too many rooms" : "room is restarting, try again");
      return { message: () => {}, closed: ends.left };
    }
    if (this.ask?.kind === "return") {
      this.request = null;
      this.cancel();
      conn.room = room;
      return rejoin(this.a.sessions, this.ask, socket, room, { ...ends, limits, user: who.user });
    }
    conn.room = room;
    d.log.info("client connected", { room: room.name, id, remote: who.remote });
    d.stats.accepted(room.name);
    // The Welcome goes first, before the --cache replay the join sends.
    const session = this.ask ? this.a.sessions.welcome({ id, ...who }, socket, room) : null;
    const member = session ?? toMember({ id, ...who }, socket, d.config.closeMs);
    room.join(member, () => childEnvFor(this.a.d, this.a.serverEnv, req, this.route));
    this.request = null;
    this.cancel();
    const kept = session && { sessions: this.a.sessions, session, socket };
    return membership(ends, room, member, limits(member), kept);
  }

  /** The held room, or a fresh one of its name if it ended meanwhile; null when full. */
  private current(): Room | null {
    const room = this.place;
    if (room.state !== "stopping" && room.state !== "ended") return room;
    this.cancel();
    if (this.route.solo || !this.a.d.reopen) return null;
    const fresh = this.a.d.open(room.name, { program: room.program });
    if (!fresh) return null;
    this.release = fresh.reserve();
    return this.place = fresh;
  }
}

/**
 * What a membership keeps for its whole life, made outside Place.open: a closure made there
 * would share its scope, and so keep the request (URL, headers) and the place (its timer)
 * alive with every idle connection (docs/benchmarks.md, idle memory).
 */
function lasting(a: Admission, conn: Connection, identity: Identity | null) {
  const { d } = a;
  return {
    ends: { log: d.log, left: () => a.left(conn) },
    limits: (m: Member) => limitsFor(d.config, identity, m, d),
  };
}

/** The path as the client sent it, still percent-encoded. */
export function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 || end < start ? undefined : end);
}
