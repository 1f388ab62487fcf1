// Output that never arrives: most runtimes keep a program's output in a buffer when stdout is
// a pipe, so its clients see nothing until kilobytes have piled up or it exits. --unbuffered
// asks the child not to (the variables here; stdbuf, which only the runtime can find, in
// src/runtime/stdbuf.ts), and a room whose program was given input and printed nothing for a
// while logs one hint saying so.
import type { Config } from "../config.ts";
import type { Logger } from "../log.ts";
import type { SpawnOptions } from "../runtime/types.ts";

/**
 * The variables a runtime reads to stop buffering. Only CPython has one: Ruby ($stdout.sync),
 * Perl ($|) and Tcl (fconfigure) are switched in code only; Node, Deno, Go, Rust (line
 * buffered), Java and .NET (flushed on each println / WriteLine) and PHP's CLI do not hold
 * output back. C programs (and awk, sed, grep, Lua…) use stdio, which stdbuf reaches.
 */
export const UNBUFFERED_ENV: Readonly<Record<string, string>> = { PYTHONUNBUFFERED: "1" };

/** How the room's child is spawned: with --unbuffered, its variables set over everything. */
export function spawnOptions(config: Config, env: Record<string, string>): SpawnOptions {
  if (!config.unbuffered) return { env };
  return { env: { ...env, ...UNBUFFERED_ENV }, lineBuffered: true };
}

/** How long a program may be silent after its first input before the hint is logged. */
export const HINT_MS = 10_000;

type Schedule = (fn: () => void, ms: number) => () => void;

const timer: Schedule = (fn, ms) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

/**
 * Logs the hint once per room: its program was given a client's message HINT_MS ago and has
 * printed nothing since it started. Each call is one comparison, so it sits on the input and
 * output paths at no cost worth measuring.
 */
export class SilenceHint {
  /** "idle" until the first input; "armed" while the timer runs; "done" once it cannot fire. */
  private state: "idle" | "armed" | "done" = "idle";
  private cancel: () => void = () => {};

  constructor(
    private readonly log: Logger,
    private readonly unbuffered: boolean,
    private readonly ms = HINT_MS,
    private readonly schedule: Schedule = timer,
  ) {}

  /** The program was given a client's message. */
  fed(): void {
    if (this.state !== "idle") return;
    this.state = "armed";
    this.cancel = this.schedule(() => this.fire(), this.ms);
  }

  /** The program printed something: no hint, ever, for this room. */
  heard(): void {
    if (this.state === "done") return;
    this.stop();
  }

  /** The room ended. */
  stop(): void {
    this.state = "done";
    this.cancel();
  }

  private fire(): void {
    if (this.state !== "armed") return;
    this.state = "done";
    const seconds = Math.round(this.ms / 1000);
    const advice = this.unbuffered
      ? "it may still buffer its output"
      : "if it does print, it may buffer its output: try --unbuffered";
    this.log.warn(
      `process was given input ${seconds} s ago and has printed nothing; ${advice} ` +
        `(see "My program prints nothing" in the README)`,
    );
  }
}
