// Routing through haproxy, the race for a new room and one order for a crowd, on Deno.
import { after } from "node:test";
import { LAUNCHERS, stopAll } from "../e2e/harness.ts";
import { routingTests } from "./routing.ts";

after(stopAll);
routingTests(LAUNCHERS.deno);
