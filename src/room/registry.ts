// The local registry: the door to rooms that live in this process (door.ts says what a door is).
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import { Admission, type Connection, type LocalTicket, type Route, type Router } from "./admit.ts";
import type { AdmitRequest, Door, Gauges, Refusal, RoomSnapshot, Sync } from "./door.ts";
import { History } from "./history.ts";
import { PortPool } from "./ports.ts";
import { CLOSE, type Program, Room } from "./room.ts";
import type { Stats } from "./stats.ts";

export interface OpenOptions {
  /** What the room runs, if not the server's CMD (--dir). */
  program?: Program;
  /** A room of one connection (--perconnection): never found, listed or joined by name. */
  solo?: boolean;
}

export interface RegistryOptions {
  /** Which room a request path is for; without it, every request is refused with 404. */
  route?: Router;
  version?: string;
  /** --oneshot: the single connection has ended. */
  oneshotDone?: () => void;
  /** A room has ended (its child and group are gone). */
  onEnded?: (room: Room) => void;
  /** A room's child has started as process (and group) pid. */
  onStarted?: (room: Room, pid: number) => void;
  /** --cachepersist kept elsewhere (cluster mode: in Redis): the history a new room starts with. */
  persisted?: (name: string) => History | undefined;
  /** False: a room that stops during a client's upgrade is not opened again (see admit.ts). */
  reopen?: boolean;
}

const NOT_FOUND: Refusal = { status: 404, reason: "not_found", text: "Not found" };

export class LocalRegistry implements Door {
  /** Joinable rooms by name. */
  private readonly rooms = new Map<string, Room>();
  /** Rooms whose child has not fully ended, joinable or not. */
  private readonly alive = new Set<Room>();
  /** Connections whose socket is open: the one count of clients. */
  private readonly connected = new Set<Connection>();
  private drainWaiters: (() => void)[] = [];
  /** Slots held by processes that are not rooms (CGI scripts). */
  private held = 0;
  /** --cachepersist: each room name's history outlives its rooms. */
  private readonly histories = new Map<string, History>();
  /** --tcp: the ports held by live rooms' children. */
  private readonly ports: PortPool | null;
  private readonly admission: Admission;

  constructor(
    private readonly config: Config,
    private readonly runtime: Runtime,
    private readonly log: Logger,
    private readonly stats: Stats,
    private readonly opts: RegistryOptions = {},
  ) {
    this.ports = config.tcp ? new PortPool(config.tcp, (p) => runtime.portFree(p)) : null;
    this.admission = new Admission({
      config,
      runtime,
      log,
      stats,
      version: opts.version ?? "",
      route: opts.route ?? (() => Promise.resolve(NOT_FOUND)),
      reopen: opts.reopen ?? true,
      open: (name, o) => this.open(name, o),
      opened: (conn) => this.connected.add(conn),
      closed: (conn) => this.closed(conn),
      oneshotDone: () => opts.oneshotDone?.(),
    });
  }

  admit(req: AdmitRequest, route?: Route): Sync<LocalTicket | Refusal> {
    return this.admission.admit(req, route);
  }

  /** The joinable room of this name, created if needed; null when --maxrooms is reached. */
  open(name: string, opts: OpenOptions = {}): Room | null {
    const existing = opts.solo ? undefined : this.rooms.get(name);
    if (existing) return existing;
    if (this.full()) return null;
    const port = this.ports?.take();
    const room = new Room(name, {
      port,
      config: this.config,
      runtime: this.runtime,
      log: this.log,
      stats: this.stats,
      history: opts.solo ? null : this.history(name),
      program: opts.program ?? { cmd: this.config.cmd, args: this.config.args },
      hooks: {
        detached: (r) => {
          if (this.rooms.get(r.name) === r) this.rooms.delete(r.name);
        },
        ended: (r) => {
          this.alive.delete(r);
          this.opts.onEnded?.(r);
        },
        started: (r, pid) => this.opts.onStarted?.(r, pid),
      },
    });
    if (!opts.solo) this.rooms.set(name, room);
    this.alive.add(room);
    if (port) this.placePort(room, port);
    return room;
  }

  /**
   * --tcp: with no free port the room ends unjoined (admission refuses with 503), or closes
   * with 1011 the rare client that joined it meanwhile; a found port is free again only once
   * the room's child and its whole group are gone.
   */
  private placePort(room: Room, port: Promise<number | null>): void {
    void port.then((p) => {
      if (p === null) return void room.shutdown(CLOSE.error, "no free port");
      void room.done.then(() => this.ports!.release(p));
    });
  }

  private history(name: string): History | null {
    const cache = this.config.cache;
    if (!cache) return null;
    if (!this.config.cachePersist) return new History(cache.size);
    const kept = this.opts.persisted?.(name);
    if (kept) return kept;
    let h = this.histories.get(name);
    if (!h) this.histories.set(name, h = new History(cache.size));
    return h;
  }

  private closed(conn: Connection): void {
    this.connected.delete(conn);
    if (this.connected.size > 0) return;
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Joinable rooms, sorted by name. */
  joinable(): Room[] {
    return [...this.rooms.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  list(): Promise<RoomSnapshot[]> {
    return Promise.resolve(this.joinable().map((r) => snapshot(r, this.config.maxClients)));
  }

  /** The joinable room of this name, if there is one. */
  joinableRoom(name: string): Room | null {
    return this.rooms.get(name) ?? null;
  }

  find(name: string): Promise<RoomSnapshot | null> {
    const room = this.rooms.get(name);
    return Promise.resolve(room ? snapshot(room, this.config.maxClients) : null);
  }

  gauges(): Gauges {
    const connections = new Map<string, number>();
    for (const { room } of this.connected) {
      if (room) connections.set(room.name, (connections.get(room.name) ?? 0) + 1);
    }
    return { rooms: this.alive.size, connections, suspended: this.admission.sessions.suspended };
  }

  drained(ms: number): Promise<void> {
    if (this.connected.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
      setTimeout(resolve, ms);
    });
  }

  hold(): (() => void) | null {
    if (this.full()) return null;
    this.held++;
    let released = false;
    return () => {
      if (!released) this.held--;
      released = true;
    };
  }

  private full(): boolean {
    return this.config.maxRooms !== null && this.alive.size + this.held >= this.config.maxRooms;
  }

  /** Rooms whose child has not fully ended yet (what --maxrooms caps). */
  get live(): number {
    return this.alive.size;
  }

  killAll(): void {
    for (const r of this.alive) r.kill();
  }

  async closeAll(code: number, reason: string): Promise<void> {
    await Promise.all([...this.alive].map((r) => r.shutdown(code, reason)));
  }
}

/** capacity: --maxclients, shown so a lobby can tell a full room before trying it. */
function snapshot(room: Room, capacity: number | null): RoomSnapshot {
  const s: RoomSnapshot = {
    name: room.name,
    connections: room.members.size,
    metadata: room.metadata,
  };
  return capacity === null ? s : { ...s, capacity };
}
