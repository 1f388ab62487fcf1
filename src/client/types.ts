// The client's public types: options, events, and the WebSocket it drives.
import type { Backoff } from "./backoff.ts";

/**
 * The part of a WebSocket the client uses. The browser's, Deno's, Node 22's and the `ws`
 * package's all fit. Handlers take `never` so that each implementation's own event type is
 * accepted; the client reads only `data`, `code` and `reason` from them.
 */
export interface SocketLike {
  readonly readyState: number;
  binaryType: string;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: never): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

export interface ClientOptions {
  /** The WebSocket class; the global one by default (Node 20 has none: pass `ws`'s). */
  WebSocket?: WebSocketConstructor;
  /** Subprotocols offered on every connection. */
  protocols?: string | string[];
  /**
   * Ask the server for a Welcome and, when it keeps dropped memberships (`--resume`), come
   * back without loss. Default true; false connects exactly like a plain WebSocket.
   */
  resume?: boolean;
  /** Reconnect waits; the defaults are DEFAULT_BACKOFF's. */
  backoff?: Partial<Backoff>;
  /**
   * A connection that stayed up this long (ms) starts the next backoff from the beginning:
   * one that dies at once keeps growing the wait, so a crashing room is not hammered.
   */
  stableAfter?: number;
  /** Messages kept while reconnecting; send() returns false past it. Default 1000. */
  maxQueue?: number;
  /** How binary messages arrive; default "arraybuffer". */
  binaryType?: "arraybuffer" | "blob";
  /**
   * Whether to reconnect after the server closed with this code. By default every close but
   * 1000 reconnects: 1000 is the room's program having finished.
   */
  reconnect?: (code: number, reason: string) => boolean;
}

/** A membership began: the first connection, or a fresh one after a reset. */
export interface OpenInfo {
  /** The member id, or null when the server sent no Welcome (resume: false, an old server). */
  id: number | null;
  user: string | null;
  /** Seconds the server keeps a dropped membership; 0 when it does not. */
  resume: number;
}

export interface ClientEvents {
  open: OpenInfo;
  /** One data frame; the resume protocol's own frames never reach it. */
  message: string | ArrayBuffer | Blob;
  /**
   * The connection was lost and the next attempt starts in `delay` ms; `attempt` counts the
   * failures in a row (0 for the immediate rejoin after a refused resume).
   */
  reconnecting: { attempt: number; delay: number; code: number; reason: string };
  /** The connection came back under the same membership; `missed` messages follow. */
  resumed: { id: number; missed: number };
  /**
   * The membership was lost (no resume offered, refused, or its window passed): what was said
   * meanwhile is gone, and `open` follows for the new membership.
   */
  reset: { reason: string };
  /** Closed for good: by close(), or by a close code that does not reconnect. */
  close: { code: number; reason: string };
}

export type ClientState = "connecting" | "open" | "reconnecting" | "closed";
