// The end-to-end suite against the Deno server (sources).
import { LAUNCHERS } from "./harness.ts";
import { suite } from "./suite.ts";

suite(LAUNCHERS.deno);
