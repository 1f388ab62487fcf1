// Every mode through a relaying node, and forged relays refused, on Node.
import { after } from "node:test";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { relayModeTests } from "./relay-modes.ts";

after(stopAll);
relayModeTests(LAUNCHERS.node);
