// Relays a client to its room's owner over a websocket: the owner's handshake answer first (so
// a refusal reaches the client as the status it would have got directly), then messages and
// close codes both ways. ws runs on both runtimes (the server's own upgrades use it on Deno).
import WebSocket from "ws";
import type { RawData } from "ws";

/** The client's accepted socket, as the relaying node drives it. */
export interface RelayClient {
  /** A string goes out as a text frame, bytes as a binary one. */
  send(data: string | Uint8Array): void;
  /** No code: a close frame without a status. */
  close(code?: number, reason?: string): void;
}

/** What the relaying node tells the relay about its client. */
export interface RelaySide {
  message(data: string | Uint8Array): void;
  closed(code: number, reason: string): void;
}

/** A connection to the owner, open, not yet joined to the client. */
export interface Upstream {
  /** The subprotocol the owner chose, "" for none: answer the client's upgrade with it. */
  readonly protocol: string;
  /** Joins the client: what the owner sent meanwhile is delivered first, in order. */
  attach(client: RelayClient): RelaySide;
  /** The client's upgrade failed after all: drop the owner's connection. */
  abort(): void;
}

export type UpstreamResult =
  | { readonly kind: "open"; readonly upstream: Upstream }
  /** The owner answered the handshake with this HTTP status: give the client the same. */
  | { readonly kind: "refused"; readonly status: number; readonly body: string }
  /** Nothing answered (refused, reset, timed out): look the owner up again, or 1013. */
  | { readonly kind: "unreachable"; readonly message: string };

export interface UpstreamOptions {
  /** The owner's HOST:PORT from its lease. */
  advertise: string;
  /** Path and query, as the client asked. */
  url: string;
  /** Signed forwarding headers (sign.ts). */
  headers: Record<string, string>;
  /** Subprotocols the client offered. */
  protocols?: string[];
  /** Default 5000 ms. */
  timeoutMs?: number;
  /** Largest message taken from the owner; 0, the default: no limit (the owner is trusted). */
  maxPayload?: number;
}

// The handshake's own headers belong to each hop, and a client must not smuggle in a relay's.
const HOP_HEADERS = new Set([
  "connection",
  "upgrade",
  "keep-alive",
  "transfer-encoding",
  "te",
  "trailer",
  "proxy-connection",
  "sec-websocket-key",
  "sec-websocket-version",
  "sec-websocket-extensions",
  "sec-websocket-accept",
  "x-scalesocket-forwarded",
  "x-scalesocket-signature",
]);

/** The client's request headers to sign and forward, names in lower case, order kept. */
export function forwardableHeaders(headers: Iterable<[string, string]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of headers) {
    const lower = name.toLowerCase();
    if (!HOP_HEADERS.has(lower)) out.push([lower, value]);
  }
  return out;
}

/** A websocket close code that may be sent in a close frame; 1005, 1006, 1015 may not. */
export function sendableCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999);
}

/** Opens the owner's websocket; settles once the owner accepted, refused or failed. */
export function openUpstream(opts: UpstreamOptions): Promise<UpstreamResult> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://${opts.advertise}${opts.url}`, opts.protocols ?? [], {
      headers: opts.headers,
      handshakeTimeout: opts.timeoutMs ?? 5000,
      maxPayload: opts.maxPayload ?? 0,
      perMessageDeflate: false,
      followRedirects: false,
    });
    // Held until attach(): a room may greet or replay history before the client is upgraded.
    const held: (string | Uint8Array)[] = [];
    let closedWith: { code: number; reason: string } | null = null;
    ws.on("message", (data: RawData, isBinary: boolean) => held.push(decode(data, isBinary)));
    ws.on("close", (code, reason) => closedWith = { code, reason: reason.toString() });
    ws.on("error", (err) => resolve({ kind: "unreachable", message: err.message }));
    ws.on("unexpected-response", (req, res) => {
      let body = "";
      res.setEncoding("utf8");
      // A refusal's body is a short reason; more than 4 KiB is not worth carrying over.
      res.on("data", (chunk: string) => body = (body + chunk).slice(0, 4096));
      res.on("end", () => {
        resolve({ kind: "refused", status: res.statusCode ?? 502, body });
        req.destroy();
      });
      res.on("error", () => resolve({ kind: "unreachable", message: "response cut short" }));
    });
    ws.on("open", () =>
      resolve({
        kind: "open",
        upstream: {
          protocol: ws.protocol,
          attach: (client) => join(ws, client, held, () => closedWith),
          abort: () => ws.terminate(),
        },
      }));
  });
}

function join(
  ws: WebSocket,
  client: RelayClient,
  held: (string | Uint8Array)[],
  closedBefore: () => { code: number; reason: string } | null,
): RelaySide {
  let done = false;
  const toClient = (code: number, reason: string) => {
    if (done) return;
    done = true;
    // 1006 (the owner vanished) cannot be sent: 1012 tells the client to come back, and its
    // room will have started again elsewhere by then.
    if (code === 1005) client.close();
    else if (sendableCode(code)) client.close(code, reason);
    else client.close(1012, "Room owner went away");
  };
  ws.removeAllListeners("message").removeAllListeners("close");
  for (const data of held.splice(0)) client.send(data);
  const early = closedBefore();
  if (early) toClient(early.code, early.reason);
  ws.on("message", (data: RawData, isBinary: boolean) => {
    if (!done) client.send(decode(data, isBinary));
  });
  ws.on("close", (code, reason) => toClient(code, reason.toString()));
  return {
    message(data) {
      if (done || ws.readyState !== WebSocket.OPEN) return;
      ws.send(data, { binary: typeof data !== "string" });
    },
    closed(code, reason) {
      if (done) return;
      done = true;
      if (code === 1005) ws.close();
      else if (sendableCode(code)) ws.close(code, reason);
      // The client vanished without a close frame: the owner sees the same.
      else ws.terminate();
    },
  };
}

const decoder = new TextDecoder();

function decode(data: RawData, isBinary: boolean): string | Uint8Array {
  const bytes = Array.isArray(data)
    ? concat(data)
    : data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : data;
  return isBinary ? bytes : decoder.decode(bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) out.set(part, (at += part.length) - part.length);
  return out;
}
