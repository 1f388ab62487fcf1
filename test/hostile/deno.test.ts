// The hostile suite against the Deno server (sources).
import { LAUNCHERS } from "../e2e/harness.ts";
import { hostileSuite } from "./suite.ts";

hostileSuite(LAUNCHERS.deno);
