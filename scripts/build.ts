// Bundles src/main.ts into dist/scalesocket.mjs: one ESM file for Node and Deno alike.
import { build } from "esbuild";
import { chmod } from "node:fs/promises";
import { buildClient } from "./client.ts";

const OUT = "dist/scalesocket.mjs";

// ws is CommonJS and calls require(); an ESM bundle needs one. Under `deno run https://…`
// import.meta.url is not a file URL, which createRequire refuses, so fall back to one.
const banner = [
  "#!/usr/bin/env node",
  'import { createRequire as __ssCreateRequire } from "node:module";',
  "const require = __ssCreateRequire(",
  '  import.meta.url.startsWith("file:") ? import.meta.url : "file:///scalesocket.mjs");',
].join("\n");

// First: the server bundles the client's text, which this regenerates.
await buildClient();
console.log("built dist/client.mjs");

await build({
  entryPoints: ["src/main.ts"],
  outfile: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: ["node20", "deno2"],
  minify: true,
  sourcemap: "linked",
  legalComments: "eof",
  banner: { js: banner },
  // ws probes optional native add-ons with require(); a bundle (and a SEA) must not.
  define: {
    "process.env.WS_NO_BUFFER_UTIL": '"1"',
    "process.env.WS_NO_UTF_8_VALIDATE": '"1"',
  },
  logLevel: "warning",
});
await chmod(OUT, 0o755);
console.log(`built ${OUT}`);
