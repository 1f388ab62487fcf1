// The runtime seam on Deno: processes through Deno.Command, files, TCP, DNS, signals.
import type { Child, ExitStatus, Runtime, StaticFile, StopSignal } from "./types.ts";
import { HEAD_BYTES, spawnFailure } from "./errors.ts";
import { resolveCommand } from "./resolve.ts";
import { connectTcp, portFree } from "./deno-tcp.ts";

/** A reverse lookup that takes longer is given up: the address stands in for the name. */
const LOOKUP_MS = 2000;

/** The in-addr.arpa / ip6.arpa name of an address, for a PTR query. */
function ptrName(ip: string): string | null {
  const v4 = ip.replace(/^::ffff:/, "");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return `${v4.split(".").reverse().join(".")}.in-addr.arpa`;
  if (!ip.includes(":")) return null;
  // Expand "::" and pad every group to four nibbles, then reverse the nibbles.
  const [head, tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  const nibbles = groups.map((g) => g.padStart(4, "0")).join("").split("");
  return `${nibbles.reverse().join(".")}.ip6.arpa`;
}

export function denoRuntime(): Runtime {
  const posix = Deno.build.os !== "windows";
  return {
    os: Deno.build.os,
    spawn: async (cmd, args, opts) => {
      const file = posix ? await resolveCommand(cmd, Deno.env.get("PATH"), isExecutable) : cmd;
      return await spawnChild(cmd, file, args, opts.env, posix);
    },
    connectTcp,
    portFree,
    onSignal(handler) {
      const signals: Deno.Signal[] = posix ? ["SIGINT", "SIGTERM"] : ["SIGINT"];
      const listeners = signals.map((s) => [s, () => handler(s)] as const);
      for (const [s, fn] of listeners) Deno.addSignalListener(s, fn);
      return () => {
        for (const [s, fn] of listeners) Deno.removeSignalListener(s, fn);
      };
    },
    env: () => Deno.env.toObject(),
    stderrIsTTY: () => Deno.stderr.isTerminal(),
    realPath: (path) => Deno.realPath(path).catch(() => null),
    isDir: (path) => Deno.stat(path).then((s) => s.isDirectory, () => false),
    isExecutable,
    readTextFile: (path) => Deno.readTextFile(path),
    reverseLookup: async (ip) => {
      const name = ptrName(ip);
      if (!name) return null;
      const timeout = AbortSignal.timeout(LOOKUP_MS);
      try {
        const names = await Deno.resolveDns(name, "PTR", { signal: timeout });
        return names[0]?.replace(/\.$/, "") ?? null;
      } catch {
        return null;
      }
    },
    openFile,
  };
}

function isExecutable(path: string): Promise<boolean> {
  // Any execute bit: the spawn itself reports the rare case where it is not ours.
  return Deno.stat(path).then((s) => s.isFile && ((s.mode ?? 0) & 0o111) !== 0, () => false);
}

async function openFile(path: string): Promise<StaticFile | null> {
  try {
    // Stat first: opening a FIFO would block until a writer came (and hold up shutdown).
    if (!(await Deno.stat(path)).isFile) return null;
    const file = await Deno.open(path);
    const info = await file.stat();
    if (!info.isFile) {
      file.close();
      return null;
    }
    return { body: file.readable, size: info.size };
  } catch {
    return null;
  }
}

async function spawnChild(
  cmd: string,
  file: string,
  args: string[],
  env: Record<string, string>,
  posix: boolean,
): Promise<Child> {
  let proc: Deno.ChildProcess;
  try {
    proc = new Deno.Command(file, {
      args,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      // detached starts a new session, so the whole tree can be signalled as a group.
      detached: posix,
    }).spawn();
  } catch (err) {
    throw new Error(await spawnFailure(cmd, file, (err as Error).name, head));
  }
  return wrapChild(proc, posix);
}

/** The first bytes of a file, for spawnFailure to find a "#!" line in. */
async function head(path: string): Promise<Uint8Array | null> {
  let file: Deno.FsFile | null = null;
  try {
    file = await Deno.open(path);
    const buf = new Uint8Array(HEAD_BYTES);
    return buf.subarray(0, await file.read(buf) ?? 0);
  } catch {
    return null;
  } finally {
    file?.close();
  }
}

function wrapChild(proc: Deno.ChildProcess, posix: boolean): Child {
  const pid = proc.pid;
  const writer = proc.stdin.getWriter();
  let pending = 0;
  let stdinOpen = true;
  let gone = false;
  const exited = proc.status.then((s): ExitStatus => {
    gone = true;
    // Nobody reads a dead child's stdin: close our end now, not when the GC gets to it.
    if (stdinOpen) {
      stdinOpen = false;
      writer.abort().catch(() => {});
    }
    return { code: s.signal ? null : s.code, signal: s.signal ?? null };
  });
  const kill = (signal: StopSignal): boolean => {
    try {
      if (posix) Deno.kill(-pid, signal);
      else proc.kill(signal);
      return true;
    } catch {
      return false;
    }
  };
  return {
    pid,
    readOutput(onStdout, onStderr) {
      return Promise.all([pump(proc.stdout, onStdout), pump(proc.stderr, onStderr)]).then(() => {});
    },
    write(data) {
      if (!stdinOpen) return;
      pending += data.byteLength;
      writer.write(data).then(
        () => pending -= data.byteLength,
        () => pending -= data.byteLength,
      );
    },
    get pendingInput() {
      return pending;
    },
    closeStdin() {
      if (!stdinOpen) return;
      stdinOpen = false;
      writer.close().catch(() => {});
    },
    signalGroup: kill,
    groupAlive() {
      // Without process groups (Windows) only the child itself can be watched.
      if (!posix) return !gone;
      try {
        // Signal 0 only probes; Deno's types do not list it.
        Deno.kill(-pid, 0 as unknown as Deno.Signal);
        return true;
      } catch {
        return false;
      }
    },
    exited,
  };
}

async function pump(stream: ReadableStream<Uint8Array>, onChunk: (c: Uint8Array) => void) {
  try {
    for await (const chunk of stream) onChunk(chunk);
  } catch {
    // A read error ends the stream like EOF; the exit status reports what happened.
  }
}
