// The end-to-end suite against the built bundle, dist/scalesocket.mjs, on Node.
import { LAUNCHERS } from "./harness.ts";
import { suite } from "./suite.ts";

suite(LAUNCHERS.bundle, "packaging");
