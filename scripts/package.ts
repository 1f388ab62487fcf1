// Turns dist/scalesocket.mjs into one executable per platform, plus dist/SHA256SUMS.
//
//   tsx scripts/package.ts [TARGET...]   TARGET: linux-x64 … windows-x64, or "host"; default all
//
// Node's single executable applications (`--build-sea`) inject the bundle into each platform's
// official Node binary, all from this machine. With DENORT_BIN set, `deno compile` makes a Deno
// executable for this machine too.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  createReadStream,
  existsSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { baseBinary, CACHE } from "./node-dist.ts";
import { artifactName, hostTarget, NODE_VERSION, type Target, TARGETS } from "./targets.ts";

const DIST = "dist";
const BUNDLE = join(DIST, "scalesocket.mjs");
/** Deno's V8 sizes its young generation at start-up only (README, "The bundle, on Node or Deno"). */
const DENO_V8_FLAGS = "--max-semi-space-size=2";
const log = (line: string) => console.log(line);

function selectTargets(args: string[]): Target[] {
  if (args.length === 0) return TARGETS;
  return args.map((a) => {
    const t = a === "host" ? hostTarget() : TARGETS.find((t) => t.name === a);
    if (!t) {
      const known = TARGETS.map((t) => t.name).join(", ");
      throw new Error(`Cannot package for ${JSON.stringify(a)}: known targets are ${known}, host`);
    }
    return t;
  });
}

/** Injects the bundle into one target's Node binary; `builder` is the host's copy of that Node. */
function buildSea(builder: string, t: Target): string {
  const start = performance.now();
  const output = join(DIST, artifactName(t));
  const config = join(CACHE, `sea-${t.name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: resolve(BUNDLE),
      // Node 26 runs an ESM main as is: the bundle's top-level await and import.meta work.
      mainFormat: "module",
      executable: resolve(baseBinary(t, log)),
      output: resolve(output),
      disableExperimentalSEAWarning: true,
      // The user's NODE_OPTIONS (say `--import tsx` from a dev shell) must not reach our Node.
      execArgvExtension: "none",
      // Code cache and snapshots are specific to the machine that makes them: off when crossing.
      useCodeCache: false,
      useSnapshot: false,
    }),
  );
  execFileSync(builder, ["--build-sea", config], { stdio: ["ignore", "ignore", "inherit"] });
  chmodSync(output, 0o755);
  const mb = (statSync(output).size / 2 ** 20).toFixed(1);
  log(`  ${output}  ${mb} MiB  ${((performance.now() - start) / 1000).toFixed(1)} s`);
  if (t.platform === "darwin") log(`    unsigned: on macOS run  codesign --sign - ${output}`);
  return output;
}

/** `deno compile` needs denort, which it downloads unless DENORT_BIN names a local copy. */
function buildDeno(): string | undefined {
  const host = hostTarget();
  if (!process.env.DENORT_BIN) {
    log("skipped deno compile: it downloads denort unless DENORT_BIN names a local copy");
    return undefined;
  }
  if (!host) throw new Error(`Cannot run deno compile: no target for ${process.platform}`);
  const output = join(DIST, artifactName(host, "deno"));
  const deno = join("node_modules", ".bin", process.platform === "win32" ? "deno.cmd" : "deno");
  // --no-config: under the project's deno.json, Deno 2.9 overflows its stack while compiling
  // (as in denoland/deno#36746); the bundle needs no configuration anyway.
  // The executable starts with the young generation capped as README's `deno run` does: Deno's
  // V8 can only be told at start-up, and uncapped an idle connection cost 41-43 KB, not 25-34
  // (docs/benchmarks.md).
  const args = ["compile", "--no-config", "-A", `--v8-flags=${DENO_V8_FLAGS}`];
  execFileSync(deno, [...args, "--output", output, BUNDLE], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  return output;
}

function sha256(file: string): Promise<string> {
  return new Promise((done, fail) => {
    const h = createHash("sha256");
    createReadStream(file).on("data", (d) => h.update(d)).on("error", fail)
      .on("end", () => done(h.digest("hex")));
  });
}

/** `sha256sum -c SHA256SUMS` checks these, run in dist/. */
async function writeSums(files: string[]): Promise<void> {
  const lines = [];
  for (const f of files) lines.push(`${await sha256(f)}  ${f.slice(DIST.length + 1)}\n`);
  writeFileSync(join(DIST, "SHA256SUMS"), lines.join(""));
}

async function main(args: string[]): Promise<number> {
  if (!existsSync(BUNDLE)) throw new Error(`Cannot package: ${BUNDLE} is missing (npm run build)`);
  const targets = selectTargets(args);
  const host = hostTarget();
  if (!host) throw new Error(`Cannot package on ${process.platform}-${process.arch}: no Node`);
  const builder = baseBinary(host, log);
  // A full run starts clean, so SHA256SUMS and dist/ list the same executables.
  if (args.length === 0) {
    for (const f of readdirSync(DIST)) if (/^scalesocket-/.test(f)) rmSync(join(DIST, f));
  }
  log(`packaging ${BUNDLE} with Node ${NODE_VERSION} for ${targets.map((t) => t.name).join(", ")}`);
  // One at a time: two builds at once took longer than in turn here (disk bound), and a Mach-O
  // build needs about 1 GB of memory.
  const made = [];
  for (const t of targets) made.push(buildSea(builder, t));
  const deno = buildDeno();
  if (deno) made.push(deno);
  await writeSums([BUNDLE, ...made]);
  log(`wrote ${join(DIST, "SHA256SUMS")}`);
  return 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
}
