// Starts the watchdog as a process of its own, and is that process's main loop.
//
// Unlike the rest of src/cluster, this file uses node:process and node:child_process: the
// watchdog must start a copy of the running executable and signal process groups, and Deno
// implements both modules, so this one file serves Node, Deno, the bundle and the executables
// (a seam in src/runtime would only forward to the same calls).
import { spawn } from "node:child_process";
import process from "node:process";
import { createInterface } from "node:readline";
import {
  deadlineLine,
  doneLine,
  runWatchdog,
  WATCHDOG_FLAG,
  type WatchdogEvent,
  type WatchdogIo,
} from "./watchdog.ts";

/** The watchdog process's whole life: returns its exit code once the server has gone. */
export async function watchdogMain(): Promise<number> {
  // Only the pipe closing ends it: a signal meant for the server's group must not.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});
  // Reports to a server that died fail with EPIPE; the kills after it must still happen.
  process.stdout.on("error", () => {});
  const report = (event: WatchdogEvent | { kind: "ready" }) => {
    try {
      process.stdout.write(JSON.stringify(event) + "\n");
    } catch {
      // The server is gone; it was the only reader.
    }
  };
  const io: WatchdogIo = {
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (handle) => clearTimeout(handle as number),
    kill(pgid, signal) {
      try {
        process.kill(-pgid, signal);
        return true;
      } catch (err) {
        if ((err as { code?: string }).code === "ESRCH") return false;
        throw err;
      }
    },
    report,
  };
  report({ kind: "ready" });
  await runWatchdog(createInterface({ input: process.stdin, crlfDelay: Infinity }), io);
  return 0;
}

/** How to start this same program again as a watchdog. */
export function selfCommand(): { cmd: string; args: string[] } {
  const exec = process.execPath;
  const main = process.argv[1];
  if (process.versions.deno !== undefined) {
    // `deno run … MAIN`: run MAIN again; a `deno compile` executable is its own main.
    const denoCli = /(^|[/\\])deno(\.exe)?$/i.test(exec);
    return denoCli
      ? { cmd: exec, args: ["run", "-A", main, WATCHDOG_FLAG] }
      : { cmd: exec, args: [WATCHDOG_FLAG] };
  }
  // A Node single executable repeats its own path as argv[1], where a script would be.
  if (!main || main === exec || main === process.argv[0]) {
    return { cmd: exec, args: [WATCHDOG_FLAG] };
  }
  // execArgv keeps loaders such as tsx's, so a server run from sources starts one from sources.
  return { cmd: exec, args: [...process.execArgv, main, WATCHDOG_FLAG] };
}

/** The server's end of the pipe. */
export interface WatchdogLink {
  readonly pid: number;
  /** Arms or moves a group's deadlines, given as instants of this process's performance.now(). */
  arm(pgid: number, softAt: number, hardAt: number): void;
  /** The group ended: the watchdog forgets it. */
  done(pgid: number): void;
  /** Calls listener for each thing the watchdog did (a kill, a line it ignored). */
  onEvent(listener: (event: WatchdogEvent) => void): void;
  /** Settles when the watchdog has exited: before close(), that is a failure to report. */
  readonly exited: Promise<void>;
  /** Closes the pipe; the watchdog kills the groups still armed, and exits. */
  close(): Promise<void>;
}

/** Starts the watchdog and resolves once it said it is ready; rejects naming why not. */
export function startWatchdog(command = selfCommand(), readyMs = 15_000): Promise<WatchdogLink> {
  // Its own session: a signal for the server's process group leaves the watchdog standing.
  const child = spawn(command.cmd, command.args, {
    stdio: ["pipe", "pipe", "inherit"],
    detached: true,
  });
  const listeners = new Set<(event: WatchdogEvent) => void>();
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.once("error", () => resolve());
  });
  // A watchdog that died makes writes fail with EPIPE; `exited` tells that story instead.
  child.stdin!.on("error", () => {});
  const send = (line: string) => {
    if (child.stdin!.writable) child.stdin!.write(line);
  };
  const link: WatchdogLink = {
    pid: child.pid ?? 0,
    arm: (pgid, softAt, hardAt) => {
      const now = performance.now();
      send(deadlineLine(pgid, softAt - now, hardAt - now));
    },
    done: (pgid) => send(doneLine(pgid)),
    onEvent: (listener) => void listeners.add(listener),
    exited,
    async close() {
      child.stdin!.end();
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`not ready after ${readyMs} ms`), readyMs);
    const onError = (err: Error) => fail(err.message);
    const onExit = (code: number | null, signal: string | null) =>
      fail(`it exited (${signal ?? code}) before it was ready`);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`Cannot start the watchdog ${JSON.stringify(command.cmd)}: ${why}`));
    };
    child.once("error", onError).once("exit", onExit);
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on("line", (text) => {
      let event: WatchdogEvent | { kind: "ready" };
      try {
        event = JSON.parse(text);
      } catch {
        return; // Not ours: ignore it rather than take the server down.
      }
      if (typeof event !== "object" || event === null) return;
      if (event.kind !== "ready") {
        for (const listener of listeners) {
          try {
            listener(event);
          } catch {
            // A listener's failure must not stop the others, nor the pipe.
          }
        }
        return;
      }
      clearTimeout(timer);
      child.off("error", onError).off("exit", onExit);
      resolve(link);
    });
  });
}
