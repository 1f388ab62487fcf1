// Redis lost by one node, by all, or restarted empty, on Deno.
import { after } from "node:test";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { storeLossTests } from "./store-loss.ts";

after(stopAll);
storeLossTests(LAUNCHERS.deno);
