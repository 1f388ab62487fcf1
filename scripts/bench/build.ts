// Bundles the bench's own programs (bare servers, fan-out child, load worker) to plain .mjs, so
// they start and run as plain `node` does, with no TypeScript loader in the measurement.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Under node_modules so that the bundles find `ws` there, left external. */
export const CACHE = `${ROOT}node_modules/.cache/scalesocket-bench/`;
export const BUNDLE = `${ROOT}dist/scalesocket.mjs`;

export interface Programs {
  bare: string;
  bareHttp: string;
  lines: string;
  worker: string;
  proxy: string;
}

export async function buildPrograms(): Promise<Programs> {
  const names = ["bare", "bare-http", "lines", "worker", "tcp-proxy"];
  await build({
    entryPoints: names.map((n) => `${ROOT}scripts/bench/${n}.ts`),
    outdir: CACHE,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    external: ["ws"],
    logLevel: "warning",
  });
  return {
    bare: `${CACHE}bare.mjs`,
    bareHttp: `${CACHE}bare-http.mjs`,
    lines: `${CACHE}lines.mjs`,
    worker: `${CACHE}worker.mjs`,
    proxy: `${CACHE}tcp-proxy.mjs`,
  };
}

/** The bundle must exist: the bench measures what users run. */
export function requireBundle(): void {
  if (!existsSync(BUNDLE)) {
    throw new Error(`Cannot find "${BUNDLE}": run 'npm run build' first`);
  }
}
