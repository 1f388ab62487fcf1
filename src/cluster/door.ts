// The cluster's door: admits a client to its room wherever in the cluster the room lives.
//
// A room this node owns is joined here (the local registry runs it); a room nobody owns is
// claimed in Redis first and only then started here; a room another node owns is relayed to
// that node. Never twice: a connection that was itself relayed is never relayed again. Each
// owned room's lease is kept by a LeaseKeeper, its deadlines armed in the watchdog, and the
// lease released once the room's child and process group are gone.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
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
import type { LocalRegistry } from "../room/registry.ts";
import type { Room } from "../room/room.ts";
import type { History } from "../room/history.ts";
import { claimTooLate, type Timing } from "./deadlines.ts";
import { LeaseKeeper, realClock } from "./keeper.ts";
import type { Lease, LeaseStore } from "./lease.ts";
import type { Lobby } from "./lobby.ts";
import { dialOwner, relayTicket, type Shut } from "./relay.ts";
import { forwardedRequest, type Forwarding, signedHeaders } from "./forward.ts";
import type { WatchdogLink } from "./watchdog-process.ts";

export interface ClusterDoorDeps {
  config: Config;
  log: Logger;
  local: LocalRegistry;
  route: Router;
  store: LeaseStore;
  lobby: Lobby;
  watchdog: WatchdogLink;
  forwarding: Forwarding;
  nodeId: string;
  timing: Timing;
  /** Whether Redis answers now (new rooms are refused while it does not). */
  redisUp(): boolean;
  /** --cachepersist: the history a room's previous owners kept; null without it. */
  loadHistory: ((room: string) => Promise<History>) | null;
}

/** A room this node holds the lease of. */
interface Owned {
  readonly name: string;
  readonly lease: Lease;
  keeper: LeaseKeeper | null;
  room: Room | null;
  pid: number | null;
  /** A lobby update is scheduled. */
  publishing: boolean;
  readonly ended: Promise<void>;
  end(): void;
}

const refusal = (status: 403 | 503, reason: string, text: string): Refusal => ({
  status,
  reason,
  text,
});
const REDIS_DOWN = refusal(503, "cluster_unavailable", "Cluster store unreachable, try again");
const QUIET = refusal(503, "cluster_recovering", "Cluster is recovering, try again");
const MOVING = refusal(503, "room_moving", "Room is moving, try again");
const DRAINING = refusal(503, "draining", "Server is draining");
/** How long the lobby update waits for more arrivals and departures to gather. */
const PUBLISH_DELAY_MS = 100;
const FORGED = refusal(403, "forged_relay", "Forwarded connection refused");

export class ClusterDoor implements Door {
  private readonly owned = new Map<string, Owned>();
  /** Claims in flight on this node, so two clients of a new room do not race each other. */
  private readonly claiming = new Map<string, Promise<unknown>>();
  private readonly byRoom = new Map<Room, Owned>();
  /** Histories loaded for rooms about to start here, taken by the local registry. */
  private readonly preloaded = new Map<string, History>();
  /** Relayed clients' sockets that are open, each with what closes it. */
  private readonly relays = new Set<Shut>();
  private relayWaiters: (() => void)[] = [];
  /** Set on SIGTERM: no new room is claimed here. */
  draining = false;

  constructor(private readonly d: ClusterDoorDeps) {}

  async admit(req: AdmitRequest): Promise<Ticket | Refusal> {
    const forwarded = await forwardedRequest(this.d.forwarding, req);
    if (forwarded === "forged") {
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
        return this.counted(await this.d.local.admit(req, route), mine);
      }
      const busy = this.claiming.get(name) ?? this.owned.get(name)?.ended;
      if (!busy) break;
      // Our own room of that name is stopping, or another client of it is being claimed for.
      await Promise.race([busy, delay(this.d.timing.leaseMs)]);
    }
    if (this.owned.has(name) || this.claiming.has(name)) return MOVING;
    if (!this.d.redisUp()) return REDIS_DOWN;
    if (this.draining) return await this.elsewhere(req, route, relayed);
    const claim = this.claim(req, route, relayed);
    this.claiming.set(name, claim);
    try {
      return await claim;
    } finally {
      this.claiming.delete(name);
    }
  }

  private async claim(req: AdmitRequest, route: Route, relayed: boolean) {
    const sentAt = realClock.now();
    let result;
    try {
      result = await this.d.store.claim(route.name);
    } catch {
      return REDIS_DOWN;
    }
    if (result.kind === "quiet") return QUIET;
    if (result.kind === "held") {
      // Ours, but not known here: a node restarted with the same --node-id. It lapses in time.
      if (result.lease.node === this.d.nodeId || relayed) return MOVING;
      return await this.relay(req, route, result.lease);
    }
    if (claimTooLate(sentAt, realClock.now(), this.d.timing)) {
      await this.d.store.release(route.name, result.lease).catch(() => false);
      return MOVING;
    }
    return await this.start(req, route, result.lease, sentAt);
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

  private async start(req: AdmitRequest, route: Route, lease: Lease, sentAt: number) {
    const { log, nodeId } = this.d;
    let end!: () => void;
    const owned: Owned = {
      name: route.name,
      lease,
      keeper: null,
      room: null,
      pid: null,
      publishing: false,
      ended: new Promise<void>((resolve) => end = resolve),
      end: () => end(),
    };
    this.owned.set(route.name, owned);
    owned.keeper = new LeaseKeeper(this.d.store, route.name, lease, sentAt, this.d.timing, {
      deadlines: (soft, hard) => {
        if (owned.pid !== null) this.d.watchdog.arm(owned.pid, soft, hard);
        this.publish(owned);
      },
      lost: () => {
        log.warn("room lease lost: stopping the room", { room: owned.name });
        void owned.room?.shutdown(1012, "room moved");
      },
      soft: () => {
        log.warn("room lease not renewed in time: stopping the room", { room: owned.name });
        void owned.room?.shutdown(1012, "lease expired");
      },
      hard: () => owned.room?.kill(),
    });
    log.info("room claimed", { room: route.name, epoch: lease.epoch });
    const env = { SCALESOCKET_EPOCH: String(lease.epoch), SCALESOCKET_NODE: nodeId };
    if (this.d.loadHistory) {
      const history = await this.d.loadHistory(route.name).catch(() => null);
      if (history) this.preloaded.set(route.name, history);
    }
    const ticket = await this.d.local.admit(req, { ...route, env });
    this.preloaded.delete(route.name);
    if ("status" in ticket) {
      void this.ended(owned);
      return ticket;
    }
    owned.room = ticket.place;
    this.byRoom.set(ticket.place, owned);
    void ticket.place.done.then(() => this.ended(owned));
    return this.counted(ticket, owned);
  }

  /** The lobby hears of each arrival and departure (soon after, not at the next renewal). */
  private counted(ticket: Ticket | Refusal, owned: Owned): Ticket | Refusal {
    if ("status" in ticket) return ticket;
    return {
      room: ticket.room,
      cancel: () => ticket.cancel(),
      open: (socket) => {
        const membership = ticket.open(socket);
        this.publishSoon(owned);
        return {
          message: membership.message,
          closed: (code, reason) => {
            membership.closed(code, reason);
            this.publishSoon(owned);
          },
        };
      },
    };
  }

  /** Many arrivals at once make one lobby write. */
  private publishSoon(owned: Owned): void {
    if (owned.publishing) return;
    owned.publishing = true;
    setTimeout(() => {
      owned.publishing = false;
      if (this.owned.get(owned.name) === owned) this.publish(owned);
    }, PUBLISH_DELAY_MS);
  }

  private async relay(req: AdmitRequest, route: Route, lease: Lease): Promise<Ticket | Refusal> {
    const url = new URL(req.url);
    const headers = await signedHeaders(this.d.forwarding, req);
    const dialled = await dialOwner(
      lease.advertise,
      url.pathname + url.search,
      headers,
      this.d.config.maxFrameSize,
    );
    if (dialled.kind === "refused") return dialled.refusal;
    if (dialled.kind === "failed") {
      this.d.log.warn("cannot relay to the room's owner", {
        room: route.name,
        node: lease.node,
        error: dialled.reason,
      });
      return MOVING;
    }
    this.d.log.debug("relaying to the room's owner", { room: route.name, node: lease.node });
    return relayTicket(route.name, dialled.upstream, {
      maxBuffer: this.d.config.maxBuffer,
      opened: (shut) => this.relays.add(shut),
      closed: (shut) => {
        this.relays.delete(shut);
        if (this.relays.size === 0) { for (const wake of this.relayWaiters.splice(0)) wake(); }
      },
    });
  }

  /** The history loaded for a room starting here (the local registry asks as it opens it). */
  persisted(name: string): History | undefined {
    return this.preloaded.get(name);
  }

  /** The local room's child started: the watchdog learns its group at once. */
  started(room: Room, pid: number): void {
    const owned = this.byRoom.get(room);
    if (!owned || !owned.keeper) return;
    owned.pid = pid;
    this.d.watchdog.arm(pid, owned.keeper.softDeadline, owned.keeper.hardDeadline);
  }

  private async ended(owned: Owned): Promise<void> {
    if (this.owned.get(owned.name) !== owned) return;
    if (owned.pid !== null) this.d.watchdog.done(owned.pid);
    if (owned.room) this.byRoom.delete(owned.room);
    const released = await owned.keeper?.release();
    await this.d.lobby.remove(owned.name).catch(() => {});
    this.owned.delete(owned.name);
    owned.end();
    this.d.log.info("room released", { room: owned.name, released: released === true });
  }

  private publish(owned: Owned): void {
    const room = owned.room;
    const info = {
      connections: room?.members.size ?? 0,
      metadata: room?.metadata ?? null,
      epoch: owned.lease.epoch,
    };
    void this.d.lobby.publish(owned.name, info).catch(() => {});
  }

  async list(): Promise<RoomSnapshot[]> {
    try {
      return (await this.d.lobby.list()).map((r) => this.withCapacity(r));
    } catch {
      // Redis unreachable: this node's own rooms are still worth showing.
      return (await this.d.local.list()).map((r) => ({ ...r, node: this.d.nodeId }));
    }
  }

  async find(name: string): Promise<RoomSnapshot | null> {
    const here = await this.d.local.find(name);
    if (here) return { ...here, node: this.d.nodeId };
    try {
      const there = await this.d.lobby.find(name);
      return there && this.withCapacity(there);
    } catch {
      return null;
    }
  }

  /** --maxclients is the same on every node, so the lobby shows it for rooms owned elsewhere. */
  private withCapacity(r: RoomSnapshot): RoomSnapshot {
    const capacity = this.d.config.maxClients;
    return capacity === null ? r : { ...r, capacity };
  }

  gauges(): Gauges {
    return this.d.local.gauges();
  }

  get connections(): number {
    return this.d.local.connections + this.relays.size;
  }

  /** Rooms this node owns now. */
  get ownedRooms(): number {
    return this.owned.size;
  }

  async drained(ms: number): Promise<void> {
    const until = Date.now() + ms;
    await this.d.local.drained(ms);
    if (this.relays.size === 0) return;
    await new Promise<void>((resolve) => {
      this.relayWaiters.push(resolve);
      setTimeout(resolve, Math.max(0, until - Date.now()));
    });
  }

  /** Settles when this node owns no room any more, or after ms. */
  async roomsGone(ms: number): Promise<void> {
    const deadline = delay(ms);
    while (this.owned.size > 0) {
      const any = [...this.owned.values()].map((o) => o.ended);
      if (await Promise.race([Promise.race(any).then(() => false), deadline.then(() => true)])) {
        return;
      }
    }
  }

  hold(): (() => void) | null {
    return this.d.local.hold();
  }

  async closeAll(code: number, reason: string): Promise<void> {
    for (const shut of [...this.relays]) shut(code, reason);
    await this.d.local.closeAll(code, reason);
    await Promise.all([...this.owned.values()].map((o) => o.ended));
  }

  killAll(): void {
    this.d.local.killAll();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
