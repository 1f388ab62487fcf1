// Starts a scalesocket server under one launcher (Node, Deno, the bundle) on a free port.
import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { readFileSync } from "node:fs";
import process from "node:process";
import { HOST_EXECUTABLE, pathWithoutRuntimes } from "../ship/artifacts.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CHILD = fileURLToPath(new URL("../fixtures/child.py", import.meta.url));
/**
 * The real interpreter, not a shim on PATH (pyenv's shims rewrite the environment, which
 * would hide what we pass to the child).
 */
export const PYTHON = execFileSync("python3", ["-c", "import sys; print(sys.executable)"], {
  encoding: "utf8",
}).trim();
/** The fixture program, ready to follow the options: `[...PY, "echo"]`. */
export const PY = [PYTHON, CHILD];

export interface Launcher {
  name: string;
  /** The program and leading arguments that run scalesocket. */
  command: string[];
}

const DENO = `${ROOT}node_modules/.bin/deno`;
export const LAUNCHERS: Record<string, Launcher> = {
  node: { name: "node", command: [process.execPath, "--import", "tsx", `${ROOT}src/main.node.ts`] },
  deno: { name: "deno", command: [DENO, "run", "-A", `${ROOT}src/main.deno.ts`] },
  bundle: { name: "bundle", command: [process.execPath, `${ROOT}dist/scalesocket.mjs`] },
  bundleDeno: {
    name: "bundle on deno",
    command: [DENO, "run", "-A", `${ROOT}dist/scalesocket.mjs`],
  },
  // `npm run package`'s executable for this machine, started by env(1) with a PATH on which
  // node and deno fail: it must need neither.
  executable: {
    name: "executable",
    command: ["/usr/bin/env", `PATH=${pathWithoutRuntimes()}`, HOST_EXECUTABLE],
  },
};

export interface Exit {
  code: number | null;
  signal: string | null;
}

export interface Running {
  port: number;
  pid: number;
  ws(path: string): string;
  http(path: string): string;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
  exited: Promise<Exit>;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
  /** Resolves when stderr matches, or fails quoting stderr after ms. */
  waitForLog(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
}

export interface RunOptions {
  /** Added to the server's environment; undefined removes a variable (such as NO_COLOR). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** How long to wait for the server to say it listens (default 15 s). */
  readyMs?: number;
}

/** Runs scalesocket to completion (for --help, bad flags …). */
export function runCli(l: Launcher, args: string[], opts: RunOptions = {}) {
  const p = startProcess(l, args, opts);
  let stdout = "";
  let stderr = "";
  p.stdout!.on("data", (d) => stdout += d);
  p.stderr!.on("data", (d) => stderr += d);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    p.on("close", (code) => resolve({ code, stdout, stderr }))
  );
}

function startProcess(l: Launcher, args: string[], opts: RunOptions): ChildProcess {
  const [cmd, ...pre] = l.command;
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...opts.env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return spawn(cmd, [...pre, ...args], {
    cwd: opts.cwd ?? ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Starts a server listening on 127.0.0.1 on a free port, unless args name an address. */
export async function launch(l: Launcher, args: string[], opts: RunOptions = {}): Promise<Running> {
  const named = args.some((a) => /^--(addr|port|address)\b/.test(a));
  const p = startProcess(l, named ? args : ["--addr", "127.0.0.1:0", ...args], opts);
  let err = "";
  const watchers = new Set<() => void>();
  p.stderr!.on("data", (d) => {
    err += d;
    for (const w of watchers) w();
  });
  p.stdout!.resume();
  const exited = new Promise<Exit>((resolve) =>
    p.on("exit", (code, signal) => resolve({ code, signal }))
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const w of watchers) w();
  });
  const waitForLog = (pattern: RegExp, ms = 15_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = err.match(pattern);
        if (m) return finish(() => resolve(m));
        if (gone) {
          finish(() => reject(new Error(`server exited before logging ${pattern}:\n${err}`)));
        }
      };
      const timer = setTimeout(
        () => finish(() => reject(new Error(`no ${pattern} in stderr after ${ms} ms:\n${err}`))),
        ms,
      );
      const finish = (f: () => void) => {
        clearTimeout(timer);
        watchers.delete(check);
        f();
      };
      watchers.add(check);
      check();
    });
  // 30 s unless the caller says: five servers started at once through tsx on two busy cores took
  // over 15 s. One that misses the deadline may still start later: it must not outlive the test
  // run (stopAll only knows servers that started).
  const m = await waitForLog(/listening on https?:\/\/(\S+):(\d+)/, opts.readyMs ?? 30_000)
    .catch((err) => {
      if (!gone) p.kill("SIGKILL");
      throw err;
    });
  const port = Number(m[2]);
  const running: Running = {
    port,
    pid: p.pid!,
    ws: (path) => `ws://127.0.0.1:${port}${path}`,
    http: (path) => `http://127.0.0.1:${port}${path}`,
    stderr: () => err,
    exited,
    stop(signal = "SIGTERM") {
      if (!gone) p.kill(signal);
      return exited;
    },
    waitForLog,
  };
  servers.add(running);
  void exited.then(() => servers.delete(running));
  return running;
}

const servers = new Set<Running>();
/** Kills every server a test left running (call from after()). */
export async function stopAll(): Promise<void> {
  await Promise.all([...servers].map((s) => s.stop("SIGKILL")));
}

/** Polls cond every 20 ms until true; fails with `what` after ms. Not a sleep: it waits for a fact. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True while a process with this pid exists (zombies count as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie still answers kill(0); its state letter in /proc says Z.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return true;
  }
}
