// A room's link to its child: start it, feed it (queueing until it is attached), read it,
// stop it, and report how it ended. With --tcp messages go over a TCP connection to the
// child (tcp.ts) instead of its stdin and stdout; its stdout is then only logged.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Child, ExitStatus, Runtime } from "../runtime/types.ts";
import type { Output } from "../codec/output.ts";
import type { Program } from "./room.ts";
import type { Stats } from "./stats.ts";
import { createSplitter } from "../codec/split.ts";
import { CONNECT_SECONDS, TcpLink } from "./tcp.ts";
import { reapGroup, terminate } from "./terminate.ts";
import { spawnOptions } from "./unbuffered.ts";

export type Ending = { status: ExitStatus } | { error: string };

export interface LinkDeps {
  program: Program;
  config: Config;
  runtime: Runtime;
  log: Logger;
  stats: Stats;
  output: Output;
  /** --passstderr: stderr lines go to the clients too. */
  errors: Output | null;
  /** --tcp: the child's PORT once found, null when none was free; absent without --tcp. */
  port?: Promise<number | null>;
  /** Whether the room is stopping (or has ended): the room's state says it, once. */
  stopping(): boolean;
  /** The child was spawned as pid, the leader of its own process group. */
  started?(pid: number): void;
  /** Called once: the child and its group are gone, and its output delivered. */
  ended(how: Ending): void;
  /** The child cannot be talked to (--tcp: it never listened): the room gives up on it. */
  failed(reason: string): void;
}

/** Where attached input goes: the child's stdin, or its TCP connection. */
interface Pipe {
  write(bytes: Uint8Array): void;
  /** Bytes written that the child has not taken yet. */
  readonly pending: number;
}

export class ChildLink {
  private child: Child | null = null;
  private pipe: Pipe | null = null;
  /** Input waiting for the child to be attached (spawn, then --delay or the TCP connection). */
  private queue: Uint8Array[] | null = [];
  private queued = 0;
  private delayTimer: ReturnType<typeof setTimeout> | undefined;
  private tcp: TcpLink | null = null;

  constructor(private readonly d: LinkDeps) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(env: Record<string, string> | Promise<Record<string, string>>): Promise<void> {
    const { config, log, program } = this.d;
    const started = Date.now();
    let child: Child;
    let port: number | null = null;
    try {
      // Not awaited when it is ready: the spawn then starts in this turn (see childEnvFor).
      if (env instanceof Promise) env = await env;
      if (this.d.port) {
        port = await this.d.port;
        if (port === null) throw new Error(NO_PORT);
        // Set last, as childEnv's extra would: neither --passenv nor a header can change it.
        env = { ...env, PORT: String(port) };
      }
      child = await this.d.runtime.spawn(program.cmd, program.args, spawnOptions(config, env));
    } catch (err) {
      log.error((err as Error).message);
      this.d.stats.exited("spawn_failed");
      return this.d.ended({ error: (err as Error).message });
    }
    this.child = child;
    this.d.started?.(child.pid);
    this.d.stats.spawned((Date.now() - started) / 1000);
    log.info("process started", { pid: child.pid, ms: Date.now() - started });
    const stdout = port === null ? (c: Uint8Array) => this.d.output.push(c) : this.logger("stdout");
    const done = child.readOutput(stdout, this.logger("stderr", this.d.errors));
    void this.watch(child, done);
    // stop() may have come while the child was starting.
    if (this.d.stopping()) return void terminate(child, config.closeMs);
    if (port !== null) return void this.connect(port);
    const stdin: Pipe = {
      write: (bytes) => child.write(bytes),
      get pending() {
        return child.pendingInput;
      },
    };
    if (config.delay > 0) {
      this.delayTimer = setTimeout(() => this.attach(stdin), config.delay * 1000);
    } else this.attach(stdin);
  }

  /**
   * Writes (or queues) input. A child that does not read must not make us buffer without
   * bound: past --maxbuffer the bytes are refused (false). One message alone always fits.
   */
  write(bytes: Uint8Array): boolean {
    const waiting = this.queue ? this.queued : this.pipe?.pending ?? 0;
    if (waiting > 0 && waiting + bytes.byteLength > this.d.config.maxBuffer) return false;
    if (this.queue) {
      this.queue.push(bytes);
      this.queued += bytes.byteLength;
    } else this.pipe!.write(bytes);
    return true;
  }

  /** Runs the termination table, once: the room calls it as it starts stopping. */
  async stop(): Promise<void> {
    clearTimeout(this.delayTimer);
    if (!this.child) return; // start() terminates it as soon as it exists
    const how = await terminate(this.child, this.d.config.closeMs);
    this.d.log.debug("process stopped", { pid: this.child.pid, by: how });
  }

  kill(): void {
    this.child?.signalGroup("SIGKILL");
  }

  private attach(pipe: Pipe): void {
    const queue = this.queue;
    if (!queue) return;
    this.queue = null;
    this.pipe = pipe;
    for (const bytes of queue) pipe.write(bytes);
  }

  /** --tcp: attaches once the child listens; one that never does fails the room. */
  private async connect(port: number): Promise<void> {
    const tcp = this.tcp = new TcpLink(this.d.runtime, port, this.d.output, this.d.stopping);
    const seconds = this.d.config.delay > 0 ? this.d.config.delay : CONNECT_SECONDS;
    const conn = await tcp.connect(seconds);
    const pid = this.child?.pid;
    if (conn) {
      this.d.log.info("connected to the process", { pid, port });
      return this.attach(conn);
    }
    // Given up: the child exited or is being stopped, and its ending says what happened.
    if (tcp.givenUp()) return;
    const reason = `process did not listen on port ${port} within ${seconds} s`;
    this.d.log.warn(reason, { pid });
    this.d.failed(reason);
  }

  /** Logs the child's lines on one stream (and passes them on to `also`). */
  private logger(stream: string, also: Output | null = null): (chunk: Uint8Array) => void {
    const lines = createSplitter({ kind: "lines" }, 64 * 1024);
    const decoder = new TextDecoder();
    return (chunk) => {
      also?.push(chunk);
      for (const line of lines.push(chunk)) {
        this.d.log.info(decoder.decode(line), { pid: this.child?.pid, stream });
      }
    };
  }

  private async watch(child: Child, output: Promise<void>): Promise<void> {
    const status = await child.exited;
    clearTimeout(this.delayTimer);
    // Grandchildren still holding stdout would keep the room open: end the whole group.
    if (!this.d.stopping()) await reapGroup(child, this.d.config.closeMs);
    await output;
    // With --tcp the connection's end is the output's end (when it comes before the exit too).
    if (this.tcp) await this.tcp.finish();
    else this.d.output.end();
    this.d.errors?.end();
    this.d.log.info("process exited", {
      pid: child.pid,
      ...(status.signal ? { signal: status.signal } : { code: status.code ?? -1 }),
    });
    this.d.stats.exited(status.signal ? "signal" : status.code === 0 ? "ok" : "error");
    this.d.ended({ status });
  }
}

const NO_PORT = "No free port for the process: every port of --tcpports is in use";
