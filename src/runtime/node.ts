// The runtime seam on Node, and on Deno through its Node compatibility (docs/decisions.md):
// processes through child_process, files, TCP, DNS, signals.
import { spawn as spawnProcess } from "node:child_process";
import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { accessSync, constants as fsConstants, createReadStream, statSync } from "node:fs";
import { access, constants, open, readFile, realpath, stat } from "node:fs/promises";
import { reverse } from "node:dns/promises";
import { Readable } from "node:stream";
import process from "node:process";
import type { Child, ExitStatus, Runtime, SpawnOptions, StaticFile, StopSignal } from "./types.ts";
import { HEAD_BYTES, spawnFailure } from "./errors.ts";
import { knownCommand, resolveCommand } from "./resolve.ts";
import { connectTcp, portFree } from "./node-tcp.ts";
import { hasGlibc, type StdbufDeps, underStdbuf } from "./stdbuf.ts";

/** A reverse lookup that takes longer is given up: the address stands in for the name. */
const LOOKUP_MS = 2000;

function withTimeout<T>(p: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), ms));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function nodeRuntime(): Runtime {
  const posix = process.platform !== "win32";
  return {
    os: process.platform === "win32" ? "windows" : process.platform,
    spawn: (cmd, args, opts) => spawnChild(cmd, args, opts, posix),
    connectTcp,
    portFree,
    onSignal(handler) {
      const on = (signal: string) => handler(signal);
      process.on("SIGINT", on);
      process.on("SIGTERM", on);
      return () => {
        process.off("SIGINT", on);
        process.off("SIGTERM", on);
      };
    },
    env: () => ({ ...process.env }) as Record<string, string>,
    stderrIsTTY: () => process.stderr.isTTY === true,
    realPath: (path) => realpath(path).catch(() => null),
    isDir: (path) => stat(path).then((s) => s.isDirectory(), () => false),
    isExecutable,
    readTextFile: (path) => readFile(path, "utf8"),
    reverseLookup: (ip) =>
      withTimeout(reverse(ip).then((names) => names[0] ?? null, () => null), LOOKUP_MS),
    openFile,
  };
}

function isExecutable(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() && access(path, constants.X_OK).then(() => true, () => false),
    () => false,
  );
}

/** isExecutable without waiting: two system calls on a path already found once. */
function isExecutableNow(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function openFile(path: string): Promise<StaticFile | null> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return null;
    const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
    return { body, size: info.size };
  } catch {
    return null;
  }
}

async function spawnChild(
  cmd: string,
  args: string[],
  opts: SpawnOptions,
  posix: boolean,
): Promise<Child> {
  // Where it was found before comes without waiting: the fork then happens in the caller's turn.
  const found = posix ? findCommand(cmd) : cmd;
  const file = typeof found === "string" ? found : await found;
  const [run, argv] = opts.lineBuffered && posix
    ? await underStdbuf(file, args, STDBUF) ?? [file, args]
    : [file, args];
  // detached gives the child its own process group, so the whole tree can be signalled.
  const cp = spawnProcess(run, argv, {
    env: opts.env,
    stdio: "pipe",
    detached: posix,
    windowsHide: true,
  });
  const failed = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    cp.once("spawn", () => resolve(null));
    cp.once("error", resolve);
  });
  if (failed) throw new Error(await spawnFailure(cmd, file, failed.code ?? failed.message, head));
  return wrapChild(cp, posix);
}

/**
 * Where cmd is on the server's PATH: where it was found before is checked without waiting and
 * given back as it is; a first search is a promise.
 */
function findCommand(cmd: string): string | Promise<string> {
  const path = process.env.PATH;
  return knownCommand(cmd, path, isExecutableNow) ?? resolveCommand(cmd, path, isExecutable);
}

const STDBUF: StdbufDeps = { isExecutable, head, find: findCommand, glibc: hasGlibc };

/** The first bytes of a file, for spawnFailure (and underStdbuf) to find a "#!" line in. */
async function head(path: string): Promise<Uint8Array | null> {
  try {
    const file = await open(path);
    try {
      const buf = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await file.read(buf, 0, HEAD_BYTES, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  } catch {
    return null;
  }
}

function wrapChild(cp: ChildProcessWithoutNullStreams, posix: boolean): Child {
  const pid = cp.pid!;
  // A child that closes stdin early makes writes fail with EPIPE; its exit reports that.
  cp.stdin.on("error", () => {});
  const exited = new Promise<ExitStatus>((resolve) => {
    cp.once("exit", (code, signal) => resolve({ code, signal }));
  });
  const kill = (signal: StopSignal | 0): boolean => {
    try {
      if (posix) process.kill(-pid, signal);
      else if (signal !== 0) cp.kill(signal);
      else return cp.exitCode === null && cp.signalCode === null;
      return true;
    } catch {
      return false;
    }
  };
  return {
    pid,
    readOutput(onStdout, onStderr) {
      const ended = (s: NodeJS.ReadableStream) =>
        new Promise<void>((resolve) => {
          s.once("end", resolve);
          s.once("error", () => resolve());
          s.once("close", () => resolve());
        });
      cp.stdout.on("data", onStdout);
      cp.stderr.on("data", onStderr);
      return Promise.all([ended(cp.stdout), ended(cp.stderr)]).then(() => {});
    },
    write(data) {
      if (!cp.stdin.destroyed && cp.stdin.writable) cp.stdin.write(data);
    },
    get pendingInput() {
      return cp.stdin.writableLength;
    },
    closeStdin() {
      if (!cp.stdin.destroyed) cp.stdin.end();
    },
    signalGroup: (signal) => kill(signal),
    groupAlive: () => kill(0),
    exited,
  };
}
