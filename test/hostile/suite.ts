// The hostile suite (S10): every group, run against the launcher each *.test.ts names.
import { after, describe } from "node:test";
import { type Launcher, stopAll } from "../e2e/harness.ts";
import { frameTests } from "./groups/frames.ts";
import { handshakeTests } from "./groups/handshakes.ts";
import { backpressureTests } from "./groups/backpressure.ts";
import { hygieneTests } from "./groups/hygiene.ts";
import { pathTests } from "./groups/paths.ts";
import { injectionTests } from "./groups/injection.ts";

export function hostileSuite(l: Launcher): void {
  describe(`scalesocket under attack on ${l.name}`, () => {
    after(stopAll);
    frameTests(l);
    handshakeTests(l);
    backpressureTests(l);
    hygieneTests(l);
    pathTests(l);
    injectionTests(l);
  });
}
