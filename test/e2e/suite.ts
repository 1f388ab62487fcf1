// The one end-to-end suite: every group, run against the launcher each *.test.ts names.
import { after, describe } from "node:test";
import process from "node:process";
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
import { websocketdNetTests } from "./groups/websocketd-net.ts";
import { websocketdHttpTests } from "./groups/websocketd-http.ts";
import { dropInTests } from "./groups/dropin.ts";
import { authTests } from "./groups/auth.ts";
import { authEndpointTests } from "./groups/auth-endpoint.ts";
import { limitTests } from "./groups/limits.ts";
import { resumeTests } from "./groups/resume.ts";
import { sessionTests } from "./groups/sessions.ts";
import { dropInHttpTests } from "./groups/dropin-http.ts";

/**
 * "full" runs every group. "packaging" is for the bundle: it is the same code as the sources,
 * so it runs the groups where bundling can break something the sources cannot show: the
 * entry point and the help text, CommonJS dependencies behind the require() shim (ws), what is
 * imported lazily or only by one runtime (prom-client, TLS, static files, CGI, unix sockets,
 * a server with no program), and signals. The rest (children, messages, framing, replay, --tcp, --dir) is runtime logic
 * that the node and deno launchers already run on the same code, and `npm run test:ship`
 * runs every group against the executable made from the bundle. docs/decisions.md says more.
 * E2E_SCOPE=full in the environment runs every group on every launcher.
 */
export type Scope = "full" | "packaging";

export function suite(l: Launcher, asked: Scope = "full"): void {
  const scope = process.env.E2E_SCOPE === "full" ? "full" : asked;
  const title = scope === "full"
    ? `scalesocket on ${l.name}`
    : `scalesocket on ${l.name} (${scope})`;
  describe(title, () => {
    after(stopAll);
    cliTests(l);
    roomTests(l);
    staticTests(l);
    lifecycleTests(l);
    observeTests(l);
    if (scope === "packaging") {
      websocketdNetTests(l);
      websocketdHttpTests(l);
      dropInHttpTests(l);
      return;
    }
    childTests(l);
    messageTests(l);
    framingTests(l);
    replayTests(l);
    tcpTests(l);
    websocketdTests(l);
    dropInTests(l);
    authTests(l);
    authEndpointTests(l);
    limitTests(l);
    resumeTests(l);
    sessionTests(l);
  });
}
