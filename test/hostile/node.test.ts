// The hostile suite against the Node server (tsx, sources).
import { LAUNCHERS } from "../e2e/harness.ts";
import { hostileSuite } from "./suite.ts";

hostileSuite(LAUNCHERS.node);
