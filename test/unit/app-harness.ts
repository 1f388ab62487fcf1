// Builds the server's Hono app in process from command-line flags, on a fake runtime: the one
// place the in-process app tests know how the app is put together.
import type { HttpBindings } from "@hono/node-server";
import { parseCli } from "../../src/cli/parse.ts";
import { createServerApp } from "../../src/server/server.ts";
import { acceptedTicket } from "../../src/http/serve.ts";
import type { Ticket } from "../../src/room/door.ts";
import { FakeRuntime, makeLog } from "./fakes.ts";

export interface AppUnderTest {
  runtime: FakeRuntime;
  /** Lines the server logged. */
  lines: string[];
  /** A plain HTTP request to the app, as a client on this host would send it. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A websocket handshake as a browser sends it for path; headers add, replace or (null) drop. */
  handshake(
    path: string,
    headers?: Record<string, string | null>,
    method?: string,
  ): Promise<Response>;
  /** Whether the app admitted the handshake, leaving a ticket for the upgrade to take. */
  upgraded(res: Response): boolean;
  /** Whether it did so before app.fetch returned: with no await between request and ticket. */
  admittedAtOnce(res: Response): boolean;
  /** Shutdown has begun, as after the first signal. */
  drain(): void;
  /** Gives up every admitted handshake, as when its socket closes before opening. */
  close(): void;
}

/** The host every request is sent to, so --sameorigin can compare with it. */
export const HOST = "127.0.0.1:8080";

/** The app that `scalesocket ...argv` would serve, on runtime (a fresh fake by default). */
export async function appFor(
  argv: string[],
  runtime = new FakeRuntime(),
): Promise<AppUnderTest> {
  const parsed = parseCli(argv, "linux");
  if (parsed.kind !== "run") throw new Error(`Not a server command line: ${argv.join(" ")}`);
  const { log, lines } = makeLog();
  const { app, state } = await createServerApp(parsed.config, runtime, log, "0.0.0-test");
  const admitted = new WeakSet<Response>();
  const atOnce = new WeakSet<Response>();
  const tickets: Ticket[] = [];
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("host")) headers.set("host", HOST);
    // What node:http hands the app: the peer comes from the request's socket, and an admitted
    // websocket request leaves its ticket here for the upgrade, which no socket will take.
    const env = {
      incoming: { socket: { remoteAddress: "127.0.0.1", remotePort: 40000 } },
    } as unknown as HttpBindings;
    const answered = app.request(`http://${HOST}${path}`, { ...init, headers }, env);
    const early = acceptedTicket(env) !== undefined;
    const res = await answered;
    if (early) atOnce.add(res);
    const ticket = acceptedTicket(env);
    if (ticket) {
      tickets.push(ticket);
      admitted.add(res);
    }
    return res;
  };
  return {
    runtime,
    lines,
    request,
    handshake: (path, extra = {}, method = "GET") => {
      const headers: Record<string, string> = handshakeHeaders();
      for (const [name, value] of Object.entries(extra)) {
        if (value === null) delete headers[name];
        else headers[name] = value;
      }
      return request(path, { method, headers });
    },
    upgraded: (res) => admitted.has(res),
    admittedAtOnce: (res) => atOnce.has(res),
    drain: () => state.draining = true,
    close: () => {
      for (const ticket of tickets.splice(0)) ticket.cancel();
    },
  };
}

/** What a browser sends to open a websocket, Origin aside. */
export function handshakeHeaders(): Record<string, string> {
  return {
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  };
}
