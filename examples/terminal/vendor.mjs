// Copies xterm.js from node_modules into public/vendor/, where --staticdir serves it (no CDN).
// Copies, not links: scalesocket serves no file whose real path is outside --staticdir.
import { copyFileSync, existsSync, mkdirSync } from "node:fs";

// The example's own install, else the repository's (a devDependency there, for the tests).
const own = new URL("node_modules/@xterm/xterm/", import.meta.url);
const from = existsSync(own) ? own : new URL("../../node_modules/@xterm/xterm/", import.meta.url);
const to = new URL("public/vendor/", import.meta.url);
const files = {
  "lib/xterm.mjs": "xterm.mjs",
  "css/xterm.css": "xterm.css",
  "LICENSE": "LICENSE.xterm",
};
mkdirSync(to, { recursive: true });
for (const [src, dest] of Object.entries(files)) {
  copyFileSync(new URL(src, from), new URL(dest, to));
}
console.log(`xterm.js copied to ${to.pathname}`);
