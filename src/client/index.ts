// scalesocket/client: a room connection for browsers, Node and Deno that reconnects and resumes.
import { ScaleSocket } from "./client.ts";
import type { ClientOptions } from "./types.ts";

export { ScaleSocket };
export { backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";
export type { Backoff } from "./backoff.ts";
export type { Outgoing } from "./queue.ts";
export { RESUME_REFUSED } from "./control.ts";
export type {
  ClientEvents,
  ClientOptions,
  ClientState,
  OpenInfo,
  SocketLike,
  WebSocketConstructor,
} from "./types.ts";

/** Connects to a room (`ws://host/lobby`, or `/lobby` from a page of the server). */
export function connect(url: string | URL, options?: ClientOptions): ScaleSocket {
  return new ScaleSocket(url, options);
}
