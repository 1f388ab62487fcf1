// The rooms registry: the one place that knows where rooms live (this process, for now).
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Runtime } from "../runtime/types.ts";
import { History } from "./history.ts";
import { PortPool } from "./ports.ts";
import { CLOSE, type Program, Room } from "./room.ts";
import type { Stats } from "./stats.ts";

/**
 * What the server asks of the rooms. A cluster-wide registry (rooms leased across nodes) can
 * implement the same interface; nothing else assumes every room lives in this process.
 */
export interface OpenOptions {
  /** What the room runs, if not the server's CMD (--dir). */
  program?: Program;
  /** A room of one connection (--perconnection): never found, listed or joined by name. */
  solo?: boolean;
}

export interface RoomRegistry {
  /** The joinable room of this name, created if needed; null when --maxrooms is reached. */
  open(name: string, opts?: OpenOptions): Room | null;
  /** The joinable room of this name, if there is one. */
  find(name: string): Room | null;
  /** Joinable rooms, sorted by name. */
  list(): Room[];
  /** Rooms whose child has not fully ended yet (what --maxrooms caps). */
  readonly live: number;
  /** Ends every room, closing members with code and reason; settles when all have ended. */
  closeAll(code: number, reason: string): Promise<void>;
  /** Kills every room's child at once. */
  killAll(): void;
  /**
   * Takes one of --maxrooms' slots for a process that is not a room (a CGI script, counted
   * like websocketd's --maxforks does); returns its release, or null when none is free.
   */
  hold(): (() => void) | null;
}

export class LocalRegistry implements RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly alive = new Set<Room>();
  /** Slots held by processes that are not rooms (CGI scripts). */
  private held = 0;
  /** --cachepersist: each room name's history outlives its rooms. */
  private readonly histories = new Map<string, History>();
  /** --tcp: the ports held by live rooms' children. */
  private readonly ports: PortPool | null;

  constructor(
    private readonly config: Config,
    private readonly runtime: Runtime,
    private readonly log: Logger,
    private readonly stats: Stats,
    private readonly onEnded: (room: Room) => void = () => {},
  ) {
    this.ports = config.tcp ? new PortPool(config.tcp, (p) => runtime.portFree(p)) : null;
  }

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
          // The port is free again only now: the child and its whole group are gone.
          void port?.then((p) => p !== null && this.ports!.release(p));
          this.alive.delete(r);
          this.stats.roomEnded(r.name);
          this.onEnded(r);
        },
      },
    });
    if (!opts.solo) this.rooms.set(name, room);
    this.alive.add(room);
    this.stats.roomOpened(name);
    // No free port: the room ends unjoined (the server refuses with 503), or closes with 1011
    // the rare client that joined it while the port was being looked for.
    void port?.then((p) => {
      if (p === null) void room.shutdown(CLOSE.error, "no free port");
    });
    return room;
  }

  private history(name: string): History | null {
    const cache = this.config.cache;
    if (!cache) return null;
    if (!this.config.cachePersist) return new History(cache.size);
    let h = this.histories.get(name);
    if (!h) this.histories.set(name, h = new History(cache.size));
    return h;
  }

  find(name: string): Room | null {
    return this.rooms.get(name) ?? null;
  }

  list(): Room[] {
    return [...this.rooms.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
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
