// --restart in a cluster, on Node.
import { after } from "node:test";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { restartTests } from "./restart.ts";

after(stopAll);
restartTests(LAUNCHERS.node);
