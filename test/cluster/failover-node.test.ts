// An owner SIGKILLed, an owner SIGSTOPped for two lease lengths, on Node.
import { after } from "node:test";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { failoverTests } from "./failover.ts";

after(stopAll);
failoverTests(LAUNCHERS.node);
