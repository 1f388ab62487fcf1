// The environment of a room's child, made from the request of the client that starts it.
import type { Config } from "../config.ts";
import type { Runtime } from "../runtime/types.ts";
import type { Route } from "./admit.ts";
import type { AdmitRequest } from "./door.ts";
import { childEnv } from "./env.ts";

/**
 * Made without waiting unless --reverselookup asks for a lookup: a new room's spawn then runs in
 * its first client's turn, not after every other handshake already queued (300 of them in a
 * burst, on Deno each awaited step of ours waits behind theirs).
 */
export function childEnvFor(
  d: { config: Config; runtime: Runtime; version: string },
  serverEnv: Record<string, string>,
  req: AdmitRequest,
  route: Route,
): Record<string, string> | Promise<Record<string, string>> {
  const { config, runtime, version } = d;
  const make = (remoteHost: string | undefined) =>
    childEnv({
      remoteHost,
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
  if (!config.reverseLookup) return make(undefined);
  return runtime.reverseLookup(req.peer.address).then((name) => make(name ?? undefined));
}

/** An IPv4 peer seen on a dual-stack socket is shown as plain IPv4. */
export function env4(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
