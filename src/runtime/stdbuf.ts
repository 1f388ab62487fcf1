// --unbuffered on Linux with glibc: the program runs as `stdbuf -oL -eL FILE ARGS…` (an argument
// vector, no shell), which makes C stdio line-buffer stdout and stderr even into a pipe.
import process from "node:process";
import { interpreterOf } from "./errors.ts";

export interface StdbufDeps {
  isExecutable(path: string): Promise<boolean>;
  /** The file's first bytes (enough for a "#!" line), null when it cannot be read. */
  head(path: string): Promise<Uint8Array | null>;
  /** Where a bare command name is on the server's PATH (the name itself when nowhere). */
  find(cmd: string): string | Promise<string>;
  glibc: () => boolean;
}

/**
 * The command and arguments that run `file` line-buffered, or null to run it as it is: no
 * glibc or no stdbuf here, or a file stdbuf would not start the way we do. stdbuf execs its
 * command with execvp, which hands a file that is neither a binary nor a "#!" script to
 * /bin/sh, and reports a missing file only as its own exit code 127; such files are spawned
 * directly, so that they fail as before, with the error naming the user's program.
 */
export async function underStdbuf(
  file: string,
  args: string[],
  d: StdbufDeps,
): Promise<[string, string[]] | null> {
  // A bare name would be looked up again by execvp, on the child's PATH rather than ours.
  if (!file.includes("/") || !d.glibc()) return null;
  // find only answers with a path for an executable it found.
  const stdbuf = await d.find("stdbuf");
  if (!stdbuf.includes("/")) return null;
  if (!await d.isExecutable(file)) return null;
  const head = await d.head(file);
  if (!head) return null;
  const elf = head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46;
  const interpreter = interpreterOf(head);
  // An interpreter that is missing must fail as a spawn, which names it (errors.ts).
  if (!elf && (interpreter === null || !await d.isExecutable(interpreter))) return null;
  return [stdbuf, ["-oL", "-eL", file, ...args]];
}

let glibcFound: boolean | undefined;

/** Whether this is Linux with glibc (stdbuf's preloaded library needs it); asked once. */
export function hasGlibc(): boolean {
  if (glibcFound !== undefined) return glibcFound;
  if (process.platform !== "linux") return glibcFound = false;
  try {
    const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } };
    return glibcFound = typeof report?.header?.glibcVersionRuntime === "string";
  } catch {
    return glibcFound = false;
  }
}
