// The environment of a room's child, made from the request of the client that starts it.
import type { Config } from "../config.ts";
import type { Runtime } from "../runtime/types.ts";
import type { Route } from "./admit.ts";
import type { AdmitRequest } from "./door.ts";
import { childEnv } from "./env.ts";

export async function childEnvFor(
  d: { config: Config; runtime: Runtime; version: string },
  serverEnv: Record<string, string>,
  req: AdmitRequest,
  route: Route,
): Promise<Record<string, string>> {
  const { config, runtime, version } = d;
  return childEnv({
    remoteHost: config.reverseLookup
      ? await runtime.reverseLookup(req.peer.address) ?? undefined
      : undefined,
    serverEnv,
    passEnv: config.passEnv,
    req: { ...req, url: new URL(req.url), httpVersion: "1.1" },
    room: route.envRoom,
    scriptName: route.scriptName,
    pathInfo: route.pathInfo,
    extra: route.env,
    identity: req.identity ?? null,
    serverSoftware: `scalesocket/${version}`,
    uniqueId: crypto.randomUUID(),
  });
}

/** An IPv4 peer seen on a dual-stack socket is shown as plain IPv4. */
export function env4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
