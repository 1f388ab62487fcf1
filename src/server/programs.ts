// Finds the program a URL names in a directory (--dir, --cgidir), never one outside it.
import type { Runtime } from "../runtime/types.ts";

export interface Found {
  /** The decoded file name. */
  name: string;
  /** Its real path, symlinks resolved, inside the directory. */
  path: string;
}

/** segment is the path segment as sent (still percent-encoded). */
export async function findProgram(
  runtime: Runtime,
  dir: string,
  segment: string,
): Promise<Found | null> {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return null;
  }
  // Only a plain file name of DIR: never a path out of it, never a hidden file.
  if (name === "" || name.startsWith(".") || /[\/\\\0]/.test(name)) return null;
  const real = await runtime.realPath(`${dir}/${name}`);
  const root = await runtime.realPath(dir);
  if (!real || !root || !real.startsWith(root + "/")) return null;
  return await runtime.isExecutable(real) ? { name, path: real } : null;
}
