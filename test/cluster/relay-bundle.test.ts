// Every mode through a relaying node, from the built bundle (dist/scalesocket.mjs) on Node and on
// Deno: the link between nodes must work in what users run, not only from the sources.
import { after, test } from "node:test";
import { existsSync } from "node:fs";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { relayModeTests } from "./relay-modes.ts";

const bundle = new URL("../../dist/scalesocket.mjs", import.meta.url);

if (existsSync(bundle)) {
  after(stopAll);
  relayModeTests(LAUNCHERS.bundle);
  relayModeTests(LAUNCHERS.bundleDeno);
} else {
  test("relays from the bundle", { skip: "dist/scalesocket.mjs is missing: run 'npm run build'" });
}
