// The end-to-end suite against the built bundle, dist/scalesocket.mjs, run by Deno.
import { LAUNCHERS } from "./harness.ts";
import { suite } from "./suite.ts";

suite(LAUNCHERS.bundleDeno, "packaging");
