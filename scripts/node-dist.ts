// Fetches a platform's Node binary from npm into a local cache, once, and strips Linux ones.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { NODE_VERSION, type Target } from "./targets.ts";

/** Downloads live here, keyed by version, so a new NODE_VERSION never reuses an old binary. */
export const CACHE = join("node_modules", ".cache", "scalesocket", `node-${NODE_VERSION}`);

const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/**
 * The path of the target's Node binary, ready to inject into: downloaded with `npm pack` (which
 * checks the registry's integrity hash), unpacked, stripped of its debug info (Linux) or of its
 * signature (Windows).
 */
export function baseBinary(t: Target, log: (line: string) => void): string {
  const dir = join(CACHE, t.pkg);
  const out = join(dir, t.bin.split("/").pop()!);
  if (existsSync(out)) return out;
  mkdirSync(CACHE, { recursive: true });
  const tgz = join(CACHE, `${t.pkg}-${NODE_VERSION}.tgz`);
  if (!existsSync(tgz)) {
    log(`downloading ${t.pkg}@${NODE_VERSION}`);
    const spec = `${t.pkg}@${NODE_VERSION}`;
    execFileSync(npm, ["pack", "--loglevel=error", spec, "--pack-destination", CACHE], {
      stdio: ["ignore", "ignore", "inherit"],
      shell: process.platform === "win32",
    });
  }
  // Unpack beside the final name and rename, so an interrupted run never leaves half a binary.
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync("tar", ["-xzf", tgz, "-C", tmp, "--strip-components=1", `package/${t.bin}`]);
  const unpacked = join(tmp, t.bin);
  if (t.triple) strip(unpacked, t, log);
  if (t.platform === "win32") unsign(unpacked, t, log);
  mkdirSync(dir, { recursive: true });
  renameSync(unpacked, out);
  // The binary is what we keep; the tarball (headers, docs) would only double the cache.
  rmSync(tmp, { recursive: true, force: true });
  rmSync(tgz);
  return out;
}

/**
 * The Linux builds ship with debug info (about 33 MB of 150). llvm-strip handles every
 * architecture; GNU strip only its own, unless a cross binutils is installed.
 */
function strip(file: string, t: Target, log: (line: string) => void): void {
  const native = process.platform === t.platform && process.arch === t.arch;
  const tools = ["llvm-strip", `${t.triple}-strip`, ...(native ? ["strip"] : [])];
  for (const tool of tools) {
    const r = spawnSync(tool, [file], { stdio: ["ignore", "ignore", "pipe"] });
    if (r.error) continue;
    if (r.status === 0) return;
    throw new Error(`Cannot strip "${file}" with ${tool}: ${String(r.stderr).trim()}`);
  }
  log(`warning: ${t.name} left unstripped (no ${tools.join(", ")}; try: apt-get install llvm)`);
}

/**
 * Injecting leaves node.exe's Authenticode entry pointing at what is no longer a certificate: a
 * corrupt signature, worse than none. Remove it first (macOS: --build-sea drops it itself).
 */
function unsign(file: string, t: Target, log: (line: string) => void): void {
  const r = spawnSync("osslsigncode", ["remove-signature", "-in", file, "-out", `${file}.tmp`], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  if (r.error) {
    log(`warning: ${t.name} keeps a corrupt signature (no osslsigncode: apt-get install it)`);
    return;
  }
  if (r.status !== 0) throw new Error(`Cannot unsign "${file}": ${String(r.stderr).trim()}`);
  renameSync(`${file}.tmp`, file);
}
