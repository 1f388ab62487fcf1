// Fakes for the room unit tests: a runtime whose children and members are driven by hand.
import { NO_STATS } from "../../src/room/stats.ts";
import { History } from "../../src/room/history.ts";
import assert from "node:assert/strict";
import type { Config } from "../../src/config.ts";
import { parseCli } from "../../src/cli/parse.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { type Member, Room } from "../../src/room/room.ts";
import type { Outgoing } from "../../src/codec/outgoing.ts";
import type { Child, ExitStatus, Runtime, StopSignal, TcpConn } from "../../src/runtime/types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A config as the CLI builds it for `scalesocket ./bot.sh --level 3`, with overrides. */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  const result = parseCli(["./bot.sh", "--level", "3"], "linux");
  if (result.kind !== "run") throw new Error(`Cannot build a config: ${JSON.stringify(result)}`);
  return { ...result.config, ...overrides };
}

/** A logger that keeps its lines for the test to read. */
export function makeLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({
    format: "text",
    level: "trace",
    color: false,
    write: (line) => lines.push(line),
  });
  return { log, lines };
}

/** A child whose output, exit and stdin the test drives; it records what the room does. */
export class FakeChild implements Child {
  /** Each write to stdin, as text. */
  readonly writes: string[] = [];
  readonly signals: StopSignal[] = [];
  stdinClosed = false;
  /** Settable: bytes the child has "not read yet". */
  pendingInput = 0;
  /** How often the room asked whether the child's process group is alive. */
  probes = 0;
  /** What closing stdin does: like `cat`, exit with code 0, unless set to false. */
  exitOnStdinClose = true;
  readonly exited: Promise<ExitStatus>;
  private alive = true;
  private onStdout: ((chunk: Uint8Array) => void) | null = null;
  private resolveExit!: (s: ExitStatus) => void;
  private resolveOutput!: () => void;
  private readonly output = new Promise<void>((r) => this.resolveOutput = r);

  constructor(readonly pid: number) {
    this.exited = new Promise((r) => this.resolveExit = r);
  }

  get reading(): boolean {
    return this.onStdout !== null;
  }

  readOutput(onStdout: (chunk: Uint8Array) => void): Promise<void> {
    this.onStdout = onStdout;
    return this.output;
  }

  /** The child prints this text on stdout. */
  print(text: string): void {
    assert.ok(this.onStdout, "the room reads the child's output");
    this.onStdout(encoder.encode(text));
  }

  /** The child exits; its stdout ends with it unless keepOutput (a grandchild holds it). */
  exit(status: ExitStatus, keepOutput = false): void {
    this.alive = false;
    if (!keepOutput) this.resolveOutput();
    this.resolveExit(status);
  }

  endOutput(): void {
    this.resolveOutput();
  }

  write(data: Uint8Array): void {
    this.writes.push(decoder.decode(data));
  }

  closeStdin(): void {
    this.stdinClosed = true;
    if (this.exitOnStdinClose && this.alive) {
      setTimeout(() => this.exit({ code: 0, signal: null }), 1);
    }
  }

  signalGroup(signal: StopSignal): boolean {
    this.signals.push(signal);
    const was = this.alive;
    if (was) setTimeout(() => this.exit({ code: null, signal }), 1);
    this.alive = false;
    return was;
  }

  groupAlive(): boolean {
    this.probes++;
    return this.alive;
  }
}

const unused = (): never => {
  throw new Error("Cannot use this runtime member in a unit test");
};

/** A runtime whose spawn hands out FakeChild instances, or fails when told to. */
export class FakeRuntime implements Runtime {
  readonly os = "linux";
  readonly spawns: { cmd: string; args: string[]; env: Record<string, string> }[] = [];
  readonly children: FakeChild[] = [];
  /** When set, spawn rejects with it. */
  failWith: Error | null = null;
  /** Called with each new child before spawn resolves, to configure it. */
  setup: (child: FakeChild) => void = () => {};

  spawn(cmd: string, args: string[], opts: { env: Record<string, string> }): Promise<Child> {
    this.spawns.push({ cmd, args, env: opts.env });
    if (this.failWith) return Promise.reject(this.failWith);
    const child = new FakeChild(1000 + this.children.length);
    this.setup(child);
    this.children.push(child);
    return Promise.resolve(child);
  }

  /** The n-th child, once the room has started reading its output. */
  async child(n = 0): Promise<FakeChild> {
    await waitFor(() => this.children[n]?.reading === true, `child ${n} to be read`);
    return this.children[n];
  }

  /** Replaced by --tcp tests: whether children listen, which ports are in use. */
  connectTcp: (host: string, port: number) => Promise<TcpConn> = unused;
  portFree: (port: number) => Promise<boolean> = unused;
  onSignal: Runtime["onSignal"] = unused;
  env = (): Record<string, string> => ({});
  stderrIsTTY = (): boolean => false;
  realPath: Runtime["realPath"] = unused;
  isDir: Runtime["isDir"] = unused;
  isExecutable: Runtime["isExecutable"] = unused;
  readTextFile: Runtime["readTextFile"] = unused;
  reverseLookup: Runtime["reverseLookup"] = unused;
  openFile: Runtime["openFile"] = unused;
}

type Event = { send: string | Uint8Array } | { close: [number, string] };

/** A client of a room: records what it is sent, in order with its close. */
export class FakeMember implements Member {
  readonly events: Event[] = [];
  /** Settable: bytes queued towards this client and not yet sent. */
  backlogBytes = 0;
  /** Open hold() calls: every batch must release what it held. */
  held = 0;

  constructor(
    readonly id: number,
    readonly remote = "127.0.0.1",
    readonly query = "",
  ) {}

  /** Records what the member would send: text frames as the text, so tests compare strings. */
  send(msg: Outgoing): void {
    this.events.push({ send: msg.text ? decoder.decode(msg.data) : msg.data });
  }
  hold(): void {
    this.held++;
  }
  release(): void {
    this.held--;
  }
  backlog(): number {
    return this.backlogBytes;
  }
  close(code: number, reason: string): void {
    this.events.push({ close: [code, reason] });
  }

  get sent(): (string | Uint8Array)[] {
    return this.events.flatMap((e) => "send" in e ? [e.send] : []);
  }
  get closes(): [number, string][] {
    return this.events.flatMap((e) => "close" in e ? [e.close] : []);
  }
}

/** Polls until cond holds; fails after ms, naming what it waited for. */
export async function waitFor(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Settles after ms. Node and Deno run timers of equal length in the order they were set, so
 * one set just before the room sets its own (--delay, --linger) fires first: the moment
 * before the room's timer runs out, whatever the machine's load.
 */
export function timerOf(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A room named "lobby" on a fake runtime, with hooks counted and two members ready. */
export function setupRoom(overrides: Partial<Config> = {}) {
  const runtime = new FakeRuntime();
  const { log, lines } = makeLog();
  const hooks = { detached: 0, ended: 0 };
  const stats = NO_STATS;
  const config = makeConfig(overrides);
  const history = config.cache ? new History(config.cache.size) : null;
  const room = new Room("lobby", {
    config,
    runtime,
    log,
    stats,
    history,
    program: { cmd: config.cmd, args: config.args },
    hooks: {
      detached: () => hooks.detached++,
      ended: () => hooks.ended++,
    },
  });
  return { room, runtime, hooks, lines, stats, a: new FakeMember(1), b: new FakeMember(2) };
}

/** The environment function a joiner brings. */
export const roomEnv = (extra: Record<string, string> = {}) => () => ({ ROOM: "lobby", ...extra });
