// The container's whole file tree: the Linux executable, its dynamic loader and its libraries.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** Where the executable lives in the image (on the image's PATH). */
export const BIN = "/usr/local/bin/scalesocket";

/** The absolute paths of the shared objects `exe` loads, the loader included. */
export function sharedLibraries(exe: string): string[] {
  const out = execFileSync("ldd", [exe], { encoding: "utf8" });
  if (/not found/.test(out)) throw new Error(`Cannot resolve the libraries of "${exe}":\n${out}`);
  // "libc.so.6 => /lib/…/libc.so.6 (0x…)" and "/lib64/ld-linux-x86-64.so.2 (0x…)"; the vDSO
  // line has no path.
  return [...out.matchAll(/(?:=>\s*|^\s*)(\/\S+)\s+\(0x/gm)].map((m) => m[1]);
}

/**
 * Copies the executable and its libraries into dir, each library at the path ldd names (which is
 * where the loader looks), with symlinks resolved: a scratch image has no /lib → /usr/lib links.
 * Returns the paths inside the tree.
 */
export function assembleRootfs(exe: string, dir: string): string[] {
  rmSync(dir, { recursive: true, force: true });
  const files = [BIN, ...sharedLibraries(exe)];
  for (const f of files) {
    const to = join(dir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(f === BIN ? exe : f, to);
    // Keep the host's modes: the kernel refuses to load an interpreter without its x bit.
    chmodSync(to, f === BIN ? 0o755 : statSync(f).mode & 0o777);
  }
  return files;
}
