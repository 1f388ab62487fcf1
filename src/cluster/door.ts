// The cluster's door: admits a client to its room wherever in the cluster the room lives.
//
// A room this node owns is joined here (the local registry runs it); a room nobody owns is
// claimed in Redis first and only then started here; a room another node owns is relayed to
// that node. Never twice: a connection that was itself relayed is never relayed again. What
// happens to a room this node owns, from its claim to its lease's release, is in owned.ts.
import type { Config } from "../config.ts";
import { rawPath, type Route, type Router } from "../room/admit.ts";
import {
  type AdmitRequest,
  authorized,
  type Door,
  type Gauges,
  type Refusal,
  type RoomSnapshot,
  type Ticket,
} from "../room/door.ts";
import type { Room } from "../room/room.ts";
import type { History } from "../room/history.ts";
import { claimTooLate } from "./deadlines.ts";
import { realClock } from "./keeper.ts";
import { type OwnedDeps, OwnedRooms } from "./owned.ts";
import type { Lease } from "./lease.ts";
import { lobbyRooms } from "./lobby.ts";
import { acceptLink, Relays } from "./relays.ts";
import { forwardedRequest, type Forwarding } from "./forward.ts";

export interface ClusterDoorDeps extends OwnedDeps {
  config: Config;
  route: Router;
  forwarding: Forwarding;
  /** Whether Redis answers now (new rooms are refused while it does not). */
  redisUp(): boolean;
}

function refusal(status: 403 | 503, reason: string, text: string): Refusal {
  return { status, reason, text };
}
const REDIS_DOWN = refusal(503, "cluster_unavailable", "Cluster store unreachable, try again");
const QUIET = refusal(503, "cluster_recovering", "Cluster is recovering, try again");
const MOVING = refusal(503, "room_moving", "Room is moving, try again");
const DRAINING = refusal(503, "draining", "Server is draining");
const FORGED = refusal(403, "forged_relay", "Forwarded connection refused");

export class ClusterDoor implements Door {
  private readonly owned: OwnedRooms;
  /** Claims in flight on this node, so two clients of a new room do not race each other. */
  private readonly claiming = new Map<string, Promise<Lease | null>>();
  private readonly relays: Relays;
  /** Set on SIGTERM: no new room is claimed here. */
  draining = false;
  /** Set once the rooms are being closed: no client is taken in any more, not even by link. */
  private closing = false;

  constructor(private readonly d: ClusterDoorDeps) {
    this.owned = new OwnedRooms(d);
    this.relays = new Relays({
      log: d.log,
      forwarding: d.forwarding,
      maxPayload: d.config.maxFrameSize,
      maxBuffer: d.config.maxBuffer,
      tls: d.config.tls !== null,
    });
  }

  link(req: AdmitRequest): Promise<Ticket | Refusal> | null {
    return acceptLink(req, this.d.forwarding, (one) => this.admit(one, true));
  }

  /** linked: req came over a link, so it must be a signed relayed client. */
  async admit(req: AdmitRequest, linked = false): Promise<Ticket | Refusal> {
    if (linked && this.closing) return DRAINING;
    const forwarded = await forwardedRequest(this.d.forwarding, req);
    if (forwarded === "forged" || (linked && forwarded === null)) {
      this.d.log.warn("relayed connection refused: bad or stale signature");
      return FORGED;
    }
    const route = await this.d.route(rawPath((forwarded ?? req).url));
    if ("status" in route) return route;
    // A direct client is authenticated here, at the node it reached; a relayed one already was.
    const real = forwarded ?? await authorized(req, route.solo ? null : route.name);
    if ("status" in real) return real;
    return await this.place(real, route, forwarded !== null);
  }

  private async place(
    req: AdmitRequest,
    route: Route,
    relayed: boolean,
  ): Promise<Ticket | Refusal> {
    const name = route.name;
    for (let attempt = 0; attempt < 3; attempt++) {
      const mine = this.owned.get(name);
      if (mine && this.d.local.joinableRoom(name)) {
        return await this.owned.join(req, route, mine);
      }
      const pending = this.claiming.get(name);
      if (pending) {
        // Another client of this room is being claimed for: the same answer serves this one.
        const owner = await pending;
        if (owner && !relayed && owner.node !== this.d.nodeId) {
          return await this.relay(req, route, owner);
        }
      } else if (mine) {
        // Our own room of that name is stopping: its successor needs a claim of its own.
        await Promise.race([mine.ended, delay(this.d.timing.leaseMs)]);
      } else break;
    }
    if (this.owned.get(name) || this.claiming.has(name)) return MOVING;
    if (!this.d.redisUp()) return REDIS_DOWN;
    if (this.draining) return await this.elsewhere(req, route, relayed);
    let settle!: (owner: Lease | null) => void;
    this.claiming.set(name, new Promise((resolve) => settle = resolve));
    try {
      return await this.claim(req, route, relayed, settle);
    } finally {
      settle(null);
      this.claiming.delete(name);
    }
  }

  /** held: called at once with the owner when another node holds the room. */
  private async claim(
    req: AdmitRequest,
    route: Route,
    relayed: boolean,
    held: (owner: Lease) => void,
  ) {
    const sentAt = realClock.now();
    let result;
    try {
      result = await this.d.store.claim(route.name);
    } catch {
      this.d.stats.claim("error");
      return REDIS_DOWN;
    }
    this.d.stats.claim(result.kind);
    if (result.kind === "quiet") return QUIET;
    if (result.kind === "held") {
      held(result.lease);
      // Ours, but not known here: a node restarted with the same --node-id. It lapses in time.
      if (result.lease.node === this.d.nodeId || relayed) return MOVING;
      return await this.relay(req, route, result.lease);
    }
    if (claimTooLate(sentAt, realClock.now(), this.d.timing)) {
      await this.d.store.release(route.name, result.lease).catch(() => false);
      return MOVING;
    }
    return await this.owned.start(req, route, result.lease, sentAt);
  }

  /** Draining: a room owned elsewhere is still relayed; none is started here. */
  private async elsewhere(req: AdmitRequest, route: Route, relayed: boolean) {
    let lease: Lease | null = null;
    try {
      lease = await this.d.store.owner(route.name);
    } catch {
      return REDIS_DOWN;
    }
    if (!lease || relayed || lease.node === this.d.nodeId) return DRAINING;
    return await this.relay(req, route, lease);
  }

  private async relay(req: AdmitRequest, route: Route, lease: Lease): Promise<Ticket | Refusal> {
    const answer = await this.relays.relay(req, route.name, lease);
    if (typeof answer !== "string") return answer;
    this.d.log.warn("cannot relay to the room's owner", {
      room: route.name,
      node: lease.node,
      error: answer,
    });
    return MOVING;
  }

  /** The history loaded for a room starting here (the local registry asks as it opens it). */
  persisted(name: string): History | undefined {
    return this.owned.persisted(name);
  }

  /** The local room's child started: the watchdog learns its group at once. */
  started(room: Room, pid: number): void {
    this.owned.started(room, pid);
  }

  async list(): Promise<RoomSnapshot[]> {
    try {
      return await lobbyRooms(this.d.lobby, this.d.config.maxClients);
    } catch {
      // Redis unreachable: this node's own rooms are still worth showing.
      return (await this.d.local.list()).map((r) => ({ ...r, node: this.d.nodeId }));
    }
  }

  async find(name: string): Promise<RoomSnapshot | null> {
    const here = await this.d.local.find(name);
    if (here) return { ...here, node: this.d.nodeId };
    try {
      const rooms = await lobbyRooms(this.d.lobby, this.d.config.maxClients);
      return rooms.find((r) => r.name === name) ?? null;
    } catch {
      return null;
    }
  }

  gauges(): Gauges {
    return {
      ...this.d.local.gauges(),
      cluster: { leases: this.owned.size, relayed: this.relays.size, redisUp: this.d.redisUp() },
    };
  }

  async drained(ms: number): Promise<void> {
    const until = Date.now() + ms;
    await this.d.local.drained(ms);
    await this.relays.drained(Math.max(0, until - Date.now()));
  }

  /** Settles when this node owns no room any more, or after ms. */
  roomsGone(ms: number): Promise<void> {
    return this.owned.gone(ms);
  }

  hold(): (() => void) | null {
    return this.d.local.hold();
  }

  async closeAll(code: number, reason: string): Promise<void> {
    this.closing = true;
    this.relays.closeAll(code, reason);
    await this.d.local.closeAll(code, reason);
    await Promise.all(this.owned.endings());
  }

  killAll(): void {
    this.d.local.killAll();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
