// One room: one child process shared by the members connected to it.
//
// Data flows one way each: member message → input() → child stdin; child stdout → output
// codec → deliver() → members.
//
// When the last member leaves (and no upgrade holds a place, see reserve()), checkEmpty()
// decides: a room whose child never started ends at once; a running one lingers for --linger
// seconds, unless someone joins meanwhile, and then stop() runs the termination table
// (terminate.ts) on the child's process group. From the moment it starts stopping, the room
// is detached: the registry forgets its name, so the next client of that name gets a fresh
// room and child while this one finishes delivering. When the child exits on its own, members
// get all its output, then a close frame carrying the exit status, and the room ends.
import type { Logger } from "../log.ts";
import type { Program, RoomDeps } from "./deps.ts";
import { createInput, type Input } from "../codec/input.ts";
import type { Member } from "./member.ts";
import { CLOSE, closeFor } from "./close.ts";
import { Fanout } from "./fanout.ts";
import type { ChildLink, Ending } from "./process.ts";
import { wireLink } from "./link.ts";
import { crashed, rejoins, RESTART_MESSAGE, Restarts } from "./restart.ts";
import { SilenceHint } from "./unbuffered.ts";

export type { Member } from "./member.ts";
export type { Program, RoomDeps, RoomHooks } from "./deps.ts";
export { CLOSE } from "./close.ts";

type State = "idle" | "running" | "stopping" | "ended";

export class Room {
  readonly members = new Map<number, Member>();
  state: State = "idle";
  /** Set by the child's `_meta` lines; null until then. */
  metadata: Record<string, unknown> | null = null;
  private pending = 0;
  /** Members and upgrades holding a place: what --maxclients caps. */
  get occupancy(): number {
    return this.members.size + this.pending;
  }
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly log: Logger;
  private readonly codec: Input;
  private readonly fanout: Fanout;
  private link: ChildLink;
  /** The environment the room's first member brought: every child of the room gets it. */
  private env: Promise<Record<string, string>> | null = null;
  private readonly restarts: Restarts | null;
  private readonly silence: SilenceHint;
  // Declared before `done` so that its initializer's assignment is not reset by class fields.
  private resolveDone!: () => void;
  /** Settles when the room has ended. */
  readonly done: Promise<void> = new Promise((resolve) => this.resolveDone = resolve);

  constructor(readonly name: string, private readonly deps: RoomDeps) {
    const { config } = deps;
    this.log = deps.log.with({ room: name });
    this.codec = createInput(config, name);
    this.fanout = new Fanout({
      members: this.members,
      maxBuffer: config.maxBuffer,
      stats: deps.stats,
      history: deps.history,
      kick: (m, reason) => this.kick(m, reason),
    });
    this.restarts = config.restart > 0 ? new Restarts(config.restart) : null;
    this.silence = new SilenceHint(this.log, config.unbuffered);
    this.link = this.wire();
  }

  /** A link for the room's next child (a restarted one gets a new link). */
  private wire(): ChildLink {
    return wireLink({
      deps: this.deps,
      log: this.log,
      fanout: this.fanout,
      sink: {
        meta: (m) => this.metadata = m,
        closeClient: (id) => this.members.get(id)?.close(CLOSE.normal, ""),
      },
      heard: () => this.silence.heard(),
      stopping: () => this.state !== "running",
      started: (pid) => this.deps.hooks.started?.(this, pid),
      ended: (how) => this.ended(how),
      failed: (reason) => void this.shutdown(CLOSE.error, reason),
    });
  }

  get pid(): number | null {
    return this.link.pid;
  }

  get program(): Program {
    return this.deps.program;
  }

  /** --tcp: the child's port once found; null when none was free (the room then ends). */
  get port(): Promise<number | null> | null {
    return this.deps.port ?? null;
  }

  /** Holds the room open while a connection is being upgraded. Returns the release. */
  reserve(): () => void {
    this.pending++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.pending--;
      this.checkEmpty();
    };
  }

  /** Adds a member; the first one spawns the child with the environment it brings. */
  join(member: Member, env: () => Record<string, string> | Promise<Record<string, string>>): void {
    if (this.state === "stopping" || this.state === "ended") {
      return member.close(CLOSE.error, "room is closing");
    }
    clearTimeout(this.lingerTimer);
    this.members.set(member.id, member);
    // Replay first, so the history comes before anything live.
    this.fanout.replay(member);
    const hello = this.codec.join(member);
    if (hello) this.link.write(hello);
    if (this.state === "idle") {
      this.state = "running";
      // Not wrapped in a promise when it is ready: the spawn then starts in this turn.
      let made: Record<string, string> | Promise<Record<string, string>>;
      try {
        made = env();
      } catch (err) {
        // As a failed spawn: logged, and the room ends.
        made = Promise.reject(err);
      }
      this.env = Promise.resolve(made);
      void this.link.start(made);
    }
  }

  /** Removes a member (idempotent); an empty room lingers, then stops its child. */
  leave(member: Member): void {
    if (this.members.get(member.id) !== member) return;
    this.members.delete(member.id);
    const bye = this.state === "running" ? this.codec.leave(member) : null;
    if (bye) this.link.write(bye);
    this.checkEmpty();
  }

  input(member: Member, data: string | Uint8Array): void {
    if (this.members.get(member.id) !== member) return;
    const encoded = this.codec.message(member, data);
    if ("drop" in encoded) {
      this.deps.stats.dropped(encoded.drop);
      this.log.debug(`client message dropped: ${encoded.drop}`, { id: member.id });
      return;
    }
    if (!this.link.write(encoded.bytes)) {
      this.deps.stats.inputOverflow();
      return this.kick(member, "input buffer full");
    }
    this.silence.fed();
    this.deps.stats.received(encoded.bytes.byteLength);
  }

  /** Stops the child now, closing members with code and reason (server shutdown). */
  shutdown(code: number, reason: string): Promise<void> {
    for (const m of this.members.values()) m.close(code, reason);
    this.members.clear();
    void this.stop();
    return this.done;
  }

  /** Kills the child's whole group at once (a second shutdown signal). */
  kill(): void {
    this.link.kill();
  }

  private kick(member: Member, reason: string): void {
    this.log.warn(`closing client: ${reason}`, { id: member.id });
    this.leave(member);
    member.close(CLOSE.policy, reason);
  }

  private checkEmpty(): void {
    if (this.members.size > 0 || this.pending > 0) return;
    if (this.state === "idle") return this.finish(CLOSE.normal, "");
    if (this.state !== "running") return;
    clearTimeout(this.lingerTimer);
    const linger = this.deps.config.linger;
    if (linger > 0) this.lingerTimer = setTimeout(() => this.checkLingered(), linger * 1000);
    else void this.stop();
  }

  private checkLingered(): void {
    if (this.members.size === 0 && this.pending === 0 && this.state === "running") {
      void this.stop();
    }
  }

  private async stop(): Promise<void> {
    clearTimeout(this.lingerTimer);
    if (this.state === "idle") return this.finish(CLOSE.goingAway, "");
    if (this.state !== "running") return;
    this.state = "stopping";
    this.deps.hooks.detached(this);
    // Between a crash and its restart no child runs: there is nothing to stop.
    if (this.restarts?.cancel()) return this.finish(CLOSE.goingAway, "");
    await this.link.stop();
  }

  private ended(how: Ending): void {
    if (this.state === "running" && this.members.size > 0 && crashed(how)) {
      const delay = this.restarts?.next();
      if (delay != null) return this.restart(delay, closeFor(how.status)[1]);
    }
    if ("error" in how) return this.finish(CLOSE.error, how.error);
    const [code, reason] = closeFor(how.status);
    this.finish(code, reason);
  }

  /** --restart: the members stay; a new child is told of each of them, after a backoff. */
  private restart(delay: number, why: string): void {
    this.log.warn(`restarting the process: ${why}`, { ms: delay });
    this.deps.stats.restarted();
    if (this.deps.config.frame.server === "json") {
      this.fanout.batch(() =>
        this.fanout.deliver({ msg: RESTART_MESSAGE, to: null, cache: false })
      );
    }
    this.link = this.wire();
    for (const hello of rejoins(this.members.values(), this.codec)) this.link.write(hello);
    this.restarts!.schedule(delay, () => void this.link.start(this.env!));
  }

  private finish(code: number, reason: string): void {
    if (this.state === "ended") return;
    const wasJoinable = this.state !== "stopping";
    this.state = "ended";
    clearTimeout(this.lingerTimer);
    this.silence.stop();
    for (const m of this.members.values()) m.close(code, reason);
    this.members.clear();
    this.metadata = null;
    if (wasJoinable) this.deps.hooks.detached(this);
    this.deps.hooks.ended(this);
    this.resolveDone();
  }
}
