// Where the shipped artifacts are, whether they match the current bundle, and a PATH without Node.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { artifactName, hostTarget, type Target, TARGETS } from "../../scripts/targets.ts";

export const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
export const BUNDLE = join(DIST, "scalesocket.mjs");
export { artifactName, TARGETS };

export function artifact(name: string): string {
  const t = TARGETS.find((t) => t.name === name);
  if (!t) throw new Error(`No target named "${name}"`);
  return join(DIST, artifactName(t));
}

/** This machine's executable, e.g. dist/scalesocket-linux-x64, or "" where we ship none. */
export const HOST_EXECUTABLE = ((t: Target | undefined) => t ? join(DIST, artifactName(t)) : "")(
  hostTarget(),
);

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The SHA256SUMS lines, file name → hash; empty when there is none. */
export function sums(): Map<string, string> {
  const file = join(DIST, "SHA256SUMS");
  if (!existsSync(file)) return new Map();
  const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
  return new Map(lines.map((l) => {
    const [hash, name] = l.split(/ [ *]/);
    return [name, hash];
  }));
}

/**
 * Why `file` cannot be tested against the current sources, or undefined when it can: it must
 * exist, and SHA256SUMS must list it and the bundle it was made from, which must be today's
 * dist/scalesocket.mjs (npm test rebuilds the bundle; the executables only `npm run package`).
 */
export function staleness(file: string): string | undefined {
  const name = file.slice(DIST.length);
  if (!existsSync(file)) return `dist/${name} does not exist: run "npm run package" first`;
  const listed = sums();
  if (listed.get(name) !== sha256(file)) {
    return `dist/${name} does not match dist/SHA256SUMS: run "npm run package" again`;
  }
  if (!existsSync(BUNDLE) || listed.get("scalesocket.mjs") !== sha256(BUNDLE)) {
    return `dist/${name} was packaged from an older bundle: run "npm run package" again`;
  }
  return undefined;
}

const STUBS = fileURLToPath(new URL("./no-runtime/", import.meta.url));
const SYSTEM = new Set([
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
]);

/**
 * The PATH for the executable under test: stubs that fail loudly stand in for `node` and `deno`,
 * and directories holding a real one are dropped, save the system ones (the wrapped programs,
 * `cat` and the like, live there too; the stubs come first and shadow them).
 */
export function pathWithoutRuntimes(path = process.env.PATH ?? ""): string {
  const hasRuntime = (dir: string) =>
    existsSync(join(dir, "node")) || existsSync(join(dir, "deno"));
  const kept = path.split(delimiter).filter((d) => d && (SYSTEM.has(d) || !hasRuntime(d)));
  return [STUBS.replace(/\/$/, ""), ...kept].join(delimiter);
}
