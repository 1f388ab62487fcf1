// The rooms this node holds the lease of: started only after the claim, their lease renewed by
// a LeaseKeeper, their process group armed in the watchdog at its deadlines, stopped when the
// lease cannot be kept, and their lease released (and lobby entry removed) once they end.
import type { Logger } from "../log.ts";
import type { Route } from "../room/admit.ts";
import type { AdmitRequest, Refusal, Ticket } from "../room/door.ts";
import type { History } from "../room/history.ts";
import type { LocalRegistry } from "../room/registry.ts";
import type { Room } from "../room/room.ts";
import type { Timing } from "./deadlines.ts";
import { LeaseKeeper } from "./keeper.ts";
import type { Lease, LeaseStore } from "./lease.ts";
import type { ClusterLobby } from "./lobby.ts";
import type { ClusterStats } from "./stats.ts";
import type { WatchdogLink } from "./watchdog-process.ts";

export interface OwnedDeps {
  log: Logger;
  local: LocalRegistry;
  store: LeaseStore;
  lobby: ClusterLobby;
  watchdog: WatchdogLink;
  nodeId: string;
  timing: Timing;
  stats: ClusterStats;
  /** --cachepersist: the history a room's previous owners kept; null without it. */
  loadHistory: ((room: string) => Promise<History>) | null;
}

/** One room this node holds the lease of. */
export interface Owned {
  readonly name: string;
  readonly lease: Lease;
  keeper: LeaseKeeper | null;
  room: Room | null;
  pid: number | null;
  /** A lobby update is scheduled. */
  publishing: boolean;
  /** Wall-clock ms of the claim, shown by the lobby. */
  readonly started: number;
  /** Settles once the room ended and its lease was let go. */
  readonly ended: Promise<void>;
}

/** How long the lobby update waits for more arrivals and departures to gather. */
const PUBLISH_DELAY_MS = 100;

export class OwnedRooms {
  private readonly rooms = new Map<string, Owned>();
  private readonly byRoom = new Map<Room, Owned>();
  /** Histories loaded for rooms about to start here, taken by the local registry. */
  private readonly preloaded = new Map<string, History>();

  constructor(private readonly d: OwnedDeps) {}

  get(name: string): Owned | undefined {
    return this.rooms.get(name);
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Every owned room's end. */
  endings(): Promise<void>[] {
    return [...this.rooms.values()].map((o) => o.ended);
  }

  /** Settles when no room is owned here any more, or after ms. */
  async gone(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<true>((resolve) => timer = setTimeout(() => resolve(true), ms));
    while (this.rooms.size > 0) {
      const one = Promise.race(this.endings()).then(() => false);
      if (await Promise.race([one, deadline])) break;
    }
    clearTimeout(timer);
  }

  /** A client joins a room of ours that runs here. */
  async join(req: AdmitRequest, route: Route, owned: Owned): Promise<Ticket | Refusal> {
    // With the lease's variables too: the room spawns its child when its first socket opens,
    // and a relayed client's socket (on a link) can open before the claiming client's.
    const env = this.leaseEnv(owned.lease);
    return this.counted(await this.d.local.admit(req, { ...route, env }), owned);
  }

  /** What the room's child is told of its lease, set last in its environment. */
  private leaseEnv(lease: Lease): Record<string, string> {
    return { SCALESOCKET_EPOCH: String(lease.epoch), SCALESOCKET_NODE: this.d.nodeId };
  }

  /** The claim for route's room was won (sent at sentAt): the room starts here. */
  async start(req: AdmitRequest, route: Route, lease: Lease, sentAt: number) {
    const { log } = this.d;
    let end!: () => void;
    const ended = new Promise<void>((resolve) => end = resolve);
    const owned: Owned = {
      name: route.name,
      lease,
      keeper: null,
      room: null,
      pid: null,
      publishing: false,
      started: Date.now(),
      ended,
    };
    this.rooms.set(route.name, owned);
    owned.keeper = this.keep(owned, sentAt);
    log.info("room claimed", { room: route.name, epoch: lease.epoch });
    const env = this.leaseEnv(lease);
    if (this.d.loadHistory) {
      const history = await this.d.loadHistory(route.name).catch(() => null);
      if (history) this.preloaded.set(route.name, history);
    }
    let ticket;
    try {
      ticket = await this.d.local.admit(req, { ...route, env });
    } catch (err) {
      // Nothing may keep renewing a lease for a room that never started.
      void this.ended(owned, end);
      throw err;
    } finally {
      this.preloaded.delete(route.name);
    }
    if ("status" in ticket) {
      void this.ended(owned, end);
      return ticket;
    }
    owned.room = ticket.place;
    this.byRoom.set(ticket.place, owned);
    void ticket.place.done.then(() => this.ended(owned, end));
    return this.counted(ticket, owned);
  }

  private keep(owned: Owned, sentAt: number): LeaseKeeper {
    const { log, stats } = this.d;
    return new LeaseKeeper(this.d.store, owned.name, owned.lease, sentAt, this.d.timing, {
      deadlines: (soft, hard) => {
        if (owned.pid !== null) this.arm(owned.pid, soft, hard);
        this.publish(owned);
      },
      failed: () => stats.renewFailed(),
      lost: () => {
        stats.leaseLost();
        log.warn("room lease lost: stopping the room", { room: owned.name });
        void owned.room?.shutdown(1012, "room moved");
      },
      soft: () => {
        stats.leaseLost();
        log.warn("room lease not renewed in time: stopping the room", { room: owned.name });
        void owned.room?.shutdown(1012, "lease expired");
      },
      hard: () => owned.room?.kill(),
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
    // --restart: the crashed child's group is gone; the watchdog guards the new one instead.
    if (owned.pid !== null && owned.pid !== pid) this.d.watchdog.done(owned.pid);
    owned.pid = pid;
    this.arm(pid, owned.keeper.softDeadline, owned.keeper.hardDeadline);
  }

  /**
   * The watchdog's SIGTERM comes half the stop time after the soft deadline: it is the backstop
   * for a stalled server, and when it raced the server's own stop, clients heard the child's
   * death (1011) instead of 1012. The hard deadline, on which no overlap rests, does not move.
   */
  private arm(pid: number, soft: number, hard: number): void {
    this.d.watchdog.arm(pid, Math.min(soft + this.d.timing.stopMs / 2, hard), hard);
  }

  private async ended(owned: Owned, end: () => void): Promise<void> {
    if (this.rooms.get(owned.name) !== owned) return;
    if (owned.pid !== null) this.d.watchdog.done(owned.pid);
    if (owned.room) this.byRoom.delete(owned.room);
    const released = await owned.keeper?.release();
    await this.d.lobby.removeRoom(owned.name, owned.lease.epoch).catch(() => {});
    this.rooms.delete(owned.name);
    end();
    this.d.log.info("room released", { room: owned.name, released: released === true });
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
      if (this.rooms.get(owned.name) === owned) this.publish(owned);
    }, PUBLISH_DELAY_MS);
  }

  /** The entry lives one lease, and is written only while the lease is still ours. */
  private publish(owned: Owned): void {
    const room = owned.room;
    const metadata = room?.metadata ?? null;
    const entry = {
      room: owned.name,
      node: this.d.nodeId,
      epoch: owned.lease.epoch,
      clients: room?.members.size ?? 0,
      started: owned.started,
      metadata: metadata === null ? null : JSON.stringify(metadata),
    };
    void this.d.lobby.publishRoom(entry, owned.lease.value, this.d.timing.leaseMs)
      .catch(() => {});
  }
}
