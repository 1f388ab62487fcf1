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
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { ExitStatus, Runtime } from "../runtime/types.ts";
import type { History } from "./history.ts";
import { createInput, type Input } from "../codec/input.ts";
import type { Member } from "./member.ts";
import { createOutput, type Output, type OutputSink, streamOutput } from "../codec/output.ts";
import { Fanout } from "./fanout.ts";
import { ChildLink, type Ending } from "./process.ts";
import type { Stats } from "./stats.ts";

export type { Member } from "./member.ts";

export interface RoomHooks {
  /** The room takes no more members (its child is stopping or gone); called once. */
  detached(room: Room): void;
  /** The room's child and process group are gone and its members closed. */
  ended(room: Room): void;
  /** The room's child runs as process (and process group) pid (cluster mode's watchdog). */
  started?(room: Room, pid: number): void;
}

/** What a room runs. */
export interface Program {
  cmd: string;
  args: string[];
}

export interface RoomDeps {
  config: Config;
  runtime: Runtime;
  log: Logger;
  hooks: RoomHooks;
  stats: Stats;
  /** Output kept for replay (--cache); null when not caching. */
  history: History | null;
  program: Program;
  /** --tcp: the child's PORT once found, null when none was free; absent without --tcp. */
  port?: Promise<number | null>;
}

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  restart: 1012,
  policy: 1008,
  tooBig: 1009,
  error: 1011,
} as const;

type State = "idle" | "running" | "stopping" | "ended";

export class Room {
  readonly members = new Map<number, Member>();
  state: State = "idle";
  /** Set by the child's `_meta` lines; null until then. */
  metadata: Record<string, unknown> | null = null;
  private pending = 0;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly log: Logger;
  private readonly codec: Input;
  private readonly fanout: Fanout;
  private readonly link: ChildLink;
  // Declared before `done` so that its initializer's assignment is not reset by class fields.
  private resolveDone!: () => void;
  /** Settles when the room has ended. */
  readonly done: Promise<void> = new Promise((resolve) => this.resolveDone = resolve);

  constructor(readonly name: string, private readonly deps: RoomDeps) {
    const { config } = deps;
    this.log = deps.log.with({ room: name });
    this.codec = createInput(config, name);
    const fanout = this.fanout = new Fanout({
      members: this.members,
      maxBuffer: config.maxBuffer,
      stats: deps.stats,
      history: deps.history,
      kick: (m, reason) => this.kick(m, reason),
    });
    const sink: OutputSink = {
      deliver: (d) => fanout.deliver(d),
      meta: (m) => this.metadata = m,
      closeClient: (id) => this.members.get(id)?.close(CLOSE.normal, ""),
      warn: (msg, bytes) => this.log.warn(msg, { bytes }),
    };
    // Each chunk the child writes is delivered as one batch per member.
    const batched = (o: Output): Output => ({
      push: (chunk) => fanout.batch(() => o.push(chunk)),
      end: () => fanout.batch(() => o.end()),
    });
    const output = batched(createOutput(config, sink));
    const errors = config.passStderr ? batched(streamOutput(config, sink, "stderr")) : null;
    this.link = new ChildLink({
      ...deps,
      log: this.log,
      output,
      errors,
      stopping: () => this.state !== "running",
      started: (pid) => deps.hooks.started?.(this, pid),
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
      void this.link.start(env());
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
    await this.link.stop();
  }

  private ended(how: Ending): void {
    if ("error" in how) return this.finish(CLOSE.error, how.error);
    const [code, reason] = closeFor(how.status);
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.state === "ended") return;
    const wasJoinable = this.state !== "stopping";
    this.state = "ended";
    clearTimeout(this.lingerTimer);
    for (const m of this.members.values()) m.close(code, reason);
    this.members.clear();
    this.metadata = null;
    if (wasJoinable) this.deps.hooks.detached(this);
    this.deps.hooks.ended(this);
    this.resolveDone();
  }
}

function closeFor(s: ExitStatus): [number, string] {
  if (s.signal) return [CLOSE.error, `killed by ${s.signal}`];
  return s.code === 0 ? [CLOSE.normal, ""] : [CLOSE.error, `process exited with code ${s.code}`];
}
