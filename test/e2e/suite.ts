// The one end-to-end suite: every group, run against the launcher each *.test.ts names.
import { after, describe } from "node:test";
import { type Launcher, stopAll } from "./harness.ts";
import { cliTests } from "./groups/cli.ts";
import { roomTests } from "./groups/rooms.ts";
import { childTests } from "./groups/child.ts";
import { messageTests } from "./groups/messages.ts";
import { framingTests } from "./groups/framing.ts";
import { replayTests } from "./groups/replay.ts";
import { staticTests } from "./groups/static.ts";
import { lifecycleTests } from "./groups/lifecycle.ts";
import { observeTests } from "./groups/observe.ts";
import { tcpTests } from "./groups/tcp.ts";
import { websocketdTests } from "./groups/websocketd.ts";
import { dropInTests } from "./groups/dropin.ts";

export function suite(l: Launcher): void {
  describe(`scalesocket on ${l.name}`, () => {
    after(stopAll);
    cliTests(l);
    roomTests(l);
    childTests(l);
    messageTests(l);
    framingTests(l);
    replayTests(l);
    staticTests(l);
    lifecycleTests(l);
    observeTests(l);
    tcpTests(l);
    websocketdTests(l);
    dropInTests(l);
  });
}
