// Admission, all of it in one place: how a websocket request gets a place in a room (--oneshot,
// --maxrooms, the --tcp port), how the place is held while the socket is upgraded (and let go
// when the upgrade never completes), and how it becomes a member once the socket is open, with
// the id the room's owner gives it, even when the room ended in the meantime.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import {
  type AdmitRequest,
  authorized,
  type Membership,
  type Refusal,
  type Socket,
  type Ticket,
} from "./door.ts";
import { childEnv } from "./env.ts";
import { limitsFor } from "./limits.ts";
import { toMember } from "./member.ts";
import type { OpenOptions } from "./registry.ts";
import type { Program, Room } from "./room.ts";
import type { Stats } from "./stats.ts";

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
export type Router = (rawPath: string) => Promise<Route | Refusal>;

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
}

/** How long an upgrade may take before its place in the room lapses. */
const HANDSHAKE_MS = 10_000;

const FULL: Refusal = { status: 429, reason: "too_many_rooms", text: "Too many rooms" };
const NO_PORT: Refusal = { status: 503, reason: "no_free_port", text: "No free port for --tcp" };
const ONESHOT: Refusal = { status: 429, reason: "oneshot", text: "Already serving a client" };
const ROOM_FULL: Refusal = { status: 429, reason: "room_full", text: "Room full" };

/** The local door's ticket; it names the room it holds a place in (for tests). */
export interface LocalTicket extends Ticket {
  readonly place: Room;
}

export class Admission {
  /** Member ids are given here, by the rooms' owner, so they stay unique within a room. */
  private nextId = 1;
  /** --oneshot: set once the single connection has been admitted. */
  private oneshotUsed = false;
  /** The server's environment, read once (the child gets the --passenv part of it). */
  private readonly serverEnv: Record<string, string>;

  constructor(private readonly d: AdmitDeps) {
    this.serverEnv = d.runtime.env();
  }

  /** route: already found by the caller (the cluster door routes before it claims). */
  async admit(asked: AdmitRequest, found?: Route): Promise<LocalTicket | Refusal> {
    const { config } = this.d;
    if (config.oneshot && this.oneshotUsed) return ONESHOT;
    const route = found ?? await this.d.route(rawPath(asked.url));
    if ("status" in route) return route;
    // Before the room is opened: a client that is not let in never starts a child.
    const req = await authorized(asked, route.solo ? null : route.name);
    if ("status" in req) return req;
    const room = this.d.open(route.name, { solo: route.solo, program: route.program });
    if (!room) return FULL;
    if (config.maxClients !== null && room.occupancy >= config.maxClients) return ROOM_FULL;
    // --tcp: a new room waits for its port; with none free it is refused before the upgrade.
    if (room.port && (await room.port) === null) return NO_PORT;
    if (this.d.config.oneshot) this.oneshotUsed = true;
    return this.ticket(req, route, room);
  }

  private ticket(req: AdmitRequest, route: Route, first: Room): LocalTicket {
    const d = this.d;
    let room = first;
    let release = room.reserve();
    const timer = setTimeout(() => release(), HANDSHAKE_MS);
    const done = () => {
      clearTimeout(timer);
      release();
    };
    // Only the connection that starts a room's child needs its request: dropped after the join,
    // so an idle connection keeps no copy of it.
    let request: AdmitRequest | null = req;
    const env = () => this.env(request!, route);
    const query = new URL(req.url).search.slice(1);
    const identity = req.identity ?? null;
    const who = {
      remote: env4(req.peer.address),
      query,
      user: identity?.user,
      info: identity?.info,
    };
    return {
      room: room.name,
      place: room,
      cancel: done,
      open: (socket: Socket): Membership => {
        const id = this.nextId++;
        const member = toMember({ id, ...who }, socket);
        const conn: Connection = { room: null };
        d.opened(conn);
        const opened = Date.now();
        // The room may have ended between the upgrade and now: take a fresh one.
        if (room.state === "stopping" || room.state === "ended") {
          const reopen = d.reopen && !route.solo;
          const fresh = reopen ? d.open(room.name, { program: room.program }) : null;
          done();
          if (!fresh) {
            d.stats.refused(reopen ? "too_many_rooms" : "room_moved");
            socket.close(1013, reopen ? "too many rooms" : "room is restarting, try again");
            return { message: () => {}, closed: () => d.closed(conn) };
          }
          release = fresh.reserve();
          room = fresh;
        }
        conn.room = room;
        d.log.info("client connected", { room: room.name, id, remote: member.remote });
        d.stats.accepted(room.name);
        room.join(member, env);
        request = null;
        done();
        const limits = limitsFor(d.config, identity, member, d);
        return {
          // --maxframesize is enforced by the socket from the frame header, before any payload.
          message: (data) => limits.allow() && room.input(member, data),
          closed: (code) => {
            limits.stop();
            room.leave(member);
            const ms = Date.now() - opened;
            d.log.info("client disconnected", {
              room: room.name,
              id,
              remote: member.remote,
              code,
              ms,
            });
            d.closed(conn);
          },
        };
      },
    };
  }

  private async env(req: AdmitRequest, route: Route): Promise<Record<string, string>> {
    const { config, runtime, version } = this.d;
    return childEnv({
      remoteHost: config.reverseLookup
        ? await runtime.reverseLookup(req.peer.address) ?? undefined
        : undefined,
      serverEnv: this.serverEnv,
      passEnv: config.passEnv,
      req: { ...req, url: new URL(req.url), httpVersion: "1.1" },
      room: route.envRoom,
      scriptName: route.scriptName,
      pathInfo: route.pathInfo,
      extra: route.env,
      identity: req.identity ?? null,
      serverSoftware: `scalesocket/${version}`,
      uniqueId: crypto.randomUUID(),
    });
  }
}

/** An IPv4 peer seen on a dual-stack socket is shown as plain IPv4. */
function env4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}

/** The path as the client sent it, still percent-encoded. */
export function rawPath(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const end = url.search(/[?#]/);
  return url.slice(start, end === -1 || end < start ? undefined : end);
}
