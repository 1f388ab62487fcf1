// Turns a runtime's spawn failure into the one-line reason users see.

const REASONS: Record<string, string> = {
  ENOENT: "file not found",
  NotFound: "file not found",
  EACCES: "permission denied",
  PermissionDenied: "permission denied",
  ENOEXEC: "not an executable",
  ENOTDIR: "a path component is not a directory",
  EISDIR: "is a directory",
};

export function spawnErrorMessage(cmd: string, code: string): string {
  return `Cannot spawn ${JSON.stringify(cmd)}: ${REASONS[code] ?? code}`;
}

/** Enough of a file for its "#!" line: the kernel itself reads no more than 256 bytes. */
export const HEAD_BYTES = 256;

/**
 * The reason for a failed spawn of `file` (cmd as the user gave it). The system says "not
 * found" also when the file exists but its "#!" interpreter does not (a script written for
 * /usr/bin/python on a machine with only python3): then the interpreter is named instead.
 * readHead gives the file's first HEAD_BYTES bytes, or null when it cannot be read.
 */
export async function spawnFailure(
  cmd: string,
  file: string,
  code: string,
  readHead: (path: string) => Promise<Uint8Array | null>,
): Promise<string> {
  if (REASONS[code] !== "file not found") return spawnErrorMessage(cmd, code);
  const interpreter = interpreterOf(await readHead(file));
  if (interpreter === null) return spawnErrorMessage(cmd, code);
  return `Cannot spawn ${JSON.stringify(cmd)}: interpreter ${
    JSON.stringify(interpreter)
  } not found`;
}

/** The path after "#!" (spaces before it allowed, up to a space, tab or line end), or null. */
export function interpreterOf(head: Uint8Array | null): string | null {
  if (!head || head[0] !== 0x23 || head[1] !== 0x21) return null;
  const line = new TextDecoder().decode(head.subarray(2)).split("\n")[0];
  // A "\r" of a file saved with Windows line ends stays: the system looks for that very name.
  const path = line.replace(/^[ \t]+/, "").split(/[ \t]/)[0];
  return path === "" ? null : path;
}
