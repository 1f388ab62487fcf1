// The end-to-end suite against the Node server (tsx, sources).
import { LAUNCHERS } from "./harness.ts";
import { suite } from "./suite.ts";

suite(LAUNCHERS.node);
