// A room's link to its child: start it, feed it (queueing until it is attached), read it,
// stop it, and report how it ended.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Child, ExitStatus, Runtime } from "../runtime/types.ts";
import type { Output } from "./output.ts";
import type { Program } from "./room.ts";
import type { Stats } from "./stats.ts";
import { createSplitter } from "./split.ts";
import { reapGroup, terminate } from "./terminate.ts";

export type Ending = { status: ExitStatus } | { error: string };

export class ChildLink {
  private child: Child | null = null;
  /** Input waiting for the child to be attached (spawn, then --delay). */
  private queue: Uint8Array[] | null = [];
  private queued = 0;
  private delayTimer: ReturnType<typeof setTimeout> | undefined;
  private stopping = false;

  constructor(
    private readonly program: Program,
    private readonly config: Config,
    private readonly runtime: Runtime,
    private readonly log: Logger,
    private readonly stats: Stats,
    private readonly output: Output,
    /** --passstderr: stderr lines go to the clients too. */
    private readonly errors: Output | null,
    /** Called once: the child and its group are gone, and its output delivered. */
    private readonly ended: (how: Ending) => void,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(env: Record<string, string> | Promise<Record<string, string>>): Promise<void> {
    const started = Date.now();
    let child: Child;
    try {
      env = await env;
      child = await this.runtime.spawn(this.program.cmd, this.program.args, { env });
    } catch (err) {
      this.log.error((err as Error).message);
      this.stats.exited("spawn_failed");
      return this.ended({ error: (err as Error).message });
    }
    this.child = child;
    this.stats.spawned((Date.now() - started) / 1000);
    this.log.info("process started", { pid: child.pid, ms: Date.now() - started });
    const done = child.readOutput((c) => this.output.push(c), this.stderr(child.pid));
    void this.watch(child, done);
    // stop() may have come while the child was starting.
    if (this.stopping) return void terminate(child, this.config.closeMs);
    if (this.config.delay > 0) {
      this.delayTimer = setTimeout(() => this.attach(), this.config.delay * 1000);
    } else this.attach();
  }

  /**
   * Writes (or queues) input. A child that does not read must not make us buffer without
   * bound: past --maxbuffer the bytes are refused (false). One message alone always fits.
   */
  write(bytes: Uint8Array): boolean {
    const waiting = this.queue ? this.queued : this.child?.pendingInput ?? 0;
    if (waiting > 0 && waiting + bytes.byteLength > this.config.maxBuffer) return false;
    if (this.queue) {
      this.queue.push(bytes);
      this.queued += bytes.byteLength;
    } else this.child!.write(bytes);
    return true;
  }

  /** Runs the termination table; the ending is reported as usual. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.delayTimer);
    if (!this.child) return; // start() terminates it as soon as it exists
    const how = await terminate(this.child, this.config.closeMs);
    this.log.debug("process stopped", { pid: this.child.pid, by: how });
  }

  kill(): void {
    this.child?.signalGroup("SIGKILL");
  }

  private attach(): void {
    const queue = this.queue;
    if (!queue || !this.child) return;
    this.queue = null;
    for (const bytes of queue) this.child.write(bytes);
  }

  private stderr(pid: number): (chunk: Uint8Array) => void {
    const lines = createSplitter({ kind: "lines" }, 64 * 1024);
    const decoder = new TextDecoder();
    return (chunk) => {
      this.errors?.push(chunk);
      for (const line of lines.push(chunk)) {
        this.log.info(decoder.decode(line), { pid, stream: "stderr" });
      }
    };
  }

  private async watch(child: Child, output: Promise<void>): Promise<void> {
    const status = await child.exited;
    clearTimeout(this.delayTimer);
    // Grandchildren still holding stdout would keep the room open: end the whole group.
    if (!this.stopping) await reapGroup(child, this.config.closeMs);
    await output;
    this.output.end();
    this.errors?.end();
    this.log.info("process exited", {
      pid: child.pid,
      ...(status.signal ? { signal: status.signal } : { code: status.code ?? -1 }),
    });
    this.stats.exited(status.signal ? "signal" : status.code === 0 ? "ok" : "error");
    this.ended({ status });
  }
}
