// A node added behind haproxy, a node drained with SIGTERM, on Node.
import { after } from "node:test";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { scaleTests } from "./scale.ts";

after(stopAll);
scaleTests(LAUNCHERS.node);
