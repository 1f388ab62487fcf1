// One room: one child process shared by the members connected to it.
//
// Data flows one way each: member message → input() → child stdin; child stdout → splitter →
// broadcast() → every member. When the last member leaves, the room lingers (--linger) and
// then stops its child with the termination table; when the child exits on its own, members
// get all its output, then a close frame carrying the exit status, and the room ends.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Child, ExitStatus, Runtime } from "../runtime/types.ts";
import { createSplitter, inputBytes, toMessage } from "./split.ts";
import type { Splitter } from "./split.ts";
import { reapGroup, terminate } from "./terminate.ts";

/** A client of a room: a local websocket today, possibly one forwarded from another node later. */
export interface Member {
  readonly id: number;
  send(msg: string | Uint8Array): void;
  /** Bytes queued towards this member and not yet sent. */
  backlog(): number;
  close(code: number, reason: string): void;
}

export interface RoomHooks {
  /** The room takes no more members (its child is stopping or gone). */
  detached(room: Room): void;
  /** The room's child and process group are gone and its members closed. */
  ended(room: Room): void;
}

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  error: 1011,
} as const;

type State = "idle" | "spawning" | "running" | "stopping" | "ended";

export class Room {
  readonly members = new Set<Member>();
  state: State = "idle";
  private child: Child | null = null;
  private pending = 0;
  private queue: Uint8Array[] | null = [];
  private queued = 0;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private delayTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly splitter: Splitter;
  private readonly log: Logger;

  constructor(
    readonly name: string,
    private readonly config: Config,
    private readonly runtime: Runtime,
    log: Logger,
    private readonly hooks: RoomHooks,
  ) {
    this.log = log.with({ room: name });
    this.splitter = createSplitter(
      config.split,
      config.maxFrameSize,
      (bytes) =>
        this.log.warn("output message longer than --maxframesize sent in pieces", { bytes }),
    );
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
  join(member: Member, env: () => Record<string, string>): void {
    if (this.state === "stopping" || this.state === "ended") {
      member.close(CLOSE.error, "room is closing");
      return;
    }
    clearTimeout(this.lingerTimer);
    this.members.add(member);
    if (this.state === "idle") void this.spawn(env());
  }

  /** Removes a member (idempotent); an empty room lingers, then stops its child. */
  leave(member: Member): void {
    if (this.members.delete(member)) this.checkEmpty();
  }

  input(member: Member, data: string | Uint8Array): void {
    if (!this.members.has(member)) return;
    const bytes = inputBytes(this.config.split, data);
    // A child that does not read must not make us buffer without bound: the message that
    // would overflow is dropped and its sender closed. One message alone always fits.
    const waiting = this.queue ? this.queued : this.child!.pendingInput;
    if (waiting > 0 && waiting + bytes.byteLength > this.config.maxBuffer) {
      return this.kick(member, "input buffer full");
    }
    if (this.queue) {
      this.queue.push(bytes);
      this.queued += bytes.byteLength;
    } else this.child!.write(bytes);
  }

  /** Stops the child now, closing members with code and reason (server shutdown). */
  shutdown(code: number, reason: string): Promise<void> {
    for (const m of this.members) m.close(code, reason);
    this.members.clear();
    void this.stop();
    return this.done;
  }

  // Declared before `done` so that its initializer's assignment is not reset by class fields.
  private resolveDone!: () => void;
  /** Settles when the room has ended. */
  readonly done: Promise<void> = new Promise((resolve) => this.resolveDone = resolve);

  /** Kills the child's whole group at once (a second shutdown signal). */
  kill(): void {
    this.child?.signalGroup("SIGKILL");
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  private async spawn(env: Record<string, string>): Promise<void> {
    this.state = "spawning";
    const started = Date.now();
    try {
      this.child = await this.runtime.spawn(this.config.cmd, this.config.args, { env });
    } catch (err) {
      const reason = (err as Error).message;
      this.log.error(reason);
      this.finish(CLOSE.error, reason);
      return;
    }
    const child = this.child;
    this.log.info("process started", { pid: child.pid, ms: Date.now() - started });
    const output = child.readOutput((c) => this.output(c), this.stderrWriter(child.pid));
    void this.watch(child, output);
    if ((this.state as State) === "stopping") {
      // stop() was called while the child was starting (TS cannot see across the await).
      void terminate(child, this.config.closeMs);
      return;
    }
    this.state = "running";
    if (this.config.delay > 0) {
      this.delayTimer = setTimeout(() => this.flushQueue(), this.config.delay * 1000);
    } else this.flushQueue();
    // Everyone may have left while the child was starting.
    this.checkEmpty();
  }

  private flushQueue(): void {
    const queue = this.queue;
    if (!queue || !this.child) return;
    this.queue = null;
    for (const bytes of queue) this.child.write(bytes);
  }

  private output(chunk: Uint8Array): void {
    for (const bytes of this.splitter.push(chunk)) this.broadcast(this.message(bytes));
  }

  /** --binary output is always binary frames; otherwise text when it is valid UTF-8. */
  private message(bytes: Uint8Array): string | Uint8Array {
    return this.config.split.kind === "binary" ? bytes : toMessage(bytes);
  }

  private broadcast(msg: string | Uint8Array): void {
    for (const m of this.members) {
      try {
        m.send(msg);
      } catch (err) {
        // One broken member must not keep the output from the others.
        this.kick(m, `send failed: ${(err as Error).message}`);
        continue;
      }
      // The room never waits for a slow member: past its budget it is closed, not skipped.
      if (m.backlog() > this.config.maxBuffer) this.kick(m, "client too slow");
    }
  }

  private kick(member: Member, reason: string): void {
    this.log.warn(`closing client: ${reason}`, { id: member.id });
    this.members.delete(member);
    member.close(CLOSE.policy, reason);
    this.checkEmpty();
  }

  private stderrWriter(pid: number): (chunk: Uint8Array) => void {
    const lines = createSplitter({ kind: "lines" }, 64 * 1024);
    const decoder = new TextDecoder();
    return (chunk) => {
      for (const line of lines.push(chunk)) {
        this.log.info(decoder.decode(line), { pid, stream: "stderr" });
      }
    };
  }

  /** Waits for the child to end by itself or by stop(), then ends the room. */
  private async watch(child: Child, output: Promise<void>): Promise<void> {
    const status = await child.exited;
    // Grandchildren still holding stdout would keep the room open: end the whole group.
    if (this.state !== "stopping") await reapGroup(child, this.config.closeMs);
    await output;
    for (const bytes of this.splitter.end()) this.broadcast(this.message(bytes));
    this.log.info("process exited", { pid: child.pid, ...describe(status) });
    const [code, reason] = closeFor(status);
    this.finish(code, reason);
  }

  private checkEmpty(): void {
    if (this.members.size > 0 || this.pending > 0) return;
    if (this.state === "idle") return this.finish(CLOSE.normal, "");
    // While spawning, spawn() calls back here once the child exists.
    if (this.state !== "running") return;
    clearTimeout(this.lingerTimer);
    if (this.config.linger > 0) {
      this.lingerTimer = setTimeout(() => this.checkEmptyAfterLinger(), this.config.linger * 1000);
    } else void this.stop();
  }

  private checkEmptyAfterLinger(): void {
    if (this.members.size === 0 && this.pending === 0 && this.state === "running") {
      void this.stop();
    }
  }

  private async stop(): Promise<void> {
    clearTimeout(this.lingerTimer);
    if (this.state === "stopping" || this.state === "ended") return;
    const child = this.child;
    if (this.state === "idle") return this.finish(CLOSE.goingAway, "");
    this.state = "stopping";
    this.hooks.detached(this);
    if (!child) return; // still spawning: spawn() terminates it as soon as it exists
    const how = await terminate(child, this.config.closeMs);
    this.log.debug("process stopped", { pid: child.pid, by: how });
  }

  private finish(code: number, reason: string): void {
    if (this.state === "ended") return;
    this.state = "ended";
    clearTimeout(this.lingerTimer);
    clearTimeout(this.delayTimer);
    for (const m of this.members) m.close(code, reason);
    this.members.clear();
    this.hooks.detached(this);
    this.hooks.ended(this);
    this.resolveDone();
  }
}

function describe(s: ExitStatus) {
  return s.signal ? { signal: s.signal } : { code: s.code ?? -1 };
}

function closeFor(s: ExitStatus): [number, string] {
  if (s.signal) return [CLOSE.error, `killed by ${s.signal}`];
  return s.code === 0 ? [CLOSE.normal, ""] : [CLOSE.error, `process exited with code ${s.code}`];
}
