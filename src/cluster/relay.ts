// Relays a client to the node that owns its room: one websocket from this node to the owner,
// messages and close codes piped both ways. The owner's handshake answer is known before the
// client is upgraded, so a refusal there reaches the client as the HTTP status it would have
// got directly.
import WebSocket from "ws";
import type { RawData } from "ws";
import { Buffer } from "node:buffer";
import type { IncomingMessage } from "node:http";
import type { Membership, Refusal, Socket, Ticket } from "../room/door.ts";

/** How long the owner may take to answer the relayed handshake. */
const DIAL_MS = 5_000;

export type Dialled =
  | { kind: "open"; upstream: WebSocket }
  | { kind: "refused"; refusal: Refusal }
  | { kind: "failed"; reason: string };

/**
 * Opens the relayed websocket to `advertise` (HOST:PORT) for pathAndQuery, with headers. With
 * tls (the nodes serve wss), the owner's certificate is not checked: nodes are addressed by IP
 * (--advertise), which certificates rarely name, and what makes a relayed connection trusted
 * is the signature the owner checks, not the channel.
 */
export function dialOwner(
  advertise: string,
  pathAndQuery: string,
  headers: Record<string, string>,
  opts: { maxPayload: number; tls: boolean },
): Promise<Dialled> {
  return new Promise((resolve) => {
    const scheme = opts.tls ? "wss" : "ws";
    const upstream = new WebSocket(`${scheme}://${advertise}${pathAndQuery}`, {
      rejectUnauthorized: false,
      headers,
      maxPayload: opts.maxPayload,
      handshakeTimeout: DIAL_MS,
      perMessageDeflate: false,
      followRedirects: false,
    });
    const settle = (d: Dialled) => {
      upstream.off("open", onOpen);
      resolve(d);
    };
    const onOpen = () => {
      // The owner's first frames may have come in the same read as its 101: they would be
      // emitted before relayTicket listens. Held until it does (it resumes the socket).
      upstream.pause();
      settle({ kind: "open", upstream });
    };
    upstream.once("open", onOpen);
    upstream.once("unexpected-response", (_req, res: IncomingMessage) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => text = (text + chunk).slice(0, 200));
      res.on("end", () => {
        upstream.terminate();
        settle({ kind: "refused", refusal: ownerRefusal(res.statusCode ?? 502, text) });
      });
      res.on("error", () => {});
    });
    upstream.on("error", (err: Error) => settle({ kind: "failed", reason: err.message }));
  });
}

/** The owner's status passes through when it is one a client could get directly. */
function ownerRefusal(status: number, text: string): Refusal {
  const known = [400, 403, 404, 429, 503] as const;
  const passed = known.find((s) => s === status) ?? 503;
  const line = text.trim().split("\n")[0] || "Room owner refused the connection";
  return { status: passed, reason: `owner_${status}`, text: line };
}

export type Shut = (code: number, reason: string) => void;

export interface RelayHooks {
  /** Largest backlog either side may build before that side's client is cut off with 1008. */
  maxBuffer: number;
  /** The client's socket opened; shut closes both sides (the server is shutting down). */
  opened(shut: Shut): void;
  /** It closed; shut is the one opened() was given. */
  closed(shut: Shut): void;
}

/** The ticket of a relayed client: opening its socket joins the pipe to the owner. */
export function relayTicket(room: string, upstream: WebSocket, hooks: RelayHooks): Ticket {
  // The owner may speak (a --cache replay) before the client's socket is open: kept for it.
  let early: (() => void)[] | null = [];
  let client: Socket | null = null;
  let over = false;
  let corked = false;
  // The owner's frames of one read arrive in one turn: gathered into one write to the client,
  // as a room does for its members (a write per frame cost the relay most of its time).
  const cork = (socket: Socket) => {
    if (corked) return;
    corked = true;
    socket.hold();
    queueMicrotask(() => {
      corked = false;
      socket.release();
    });
  };
  const finish = (code: number, reason: string) => {
    if (over) return;
    over = true;
    try {
      client?.close(code, reason);
    } catch {
      // Already closing.
    }
  };
  const shut: Shut = (code, reason) => {
    finish(code, reason);
    upstream.close(1001, "");
  };
  upstream.on("message", (data: RawData, binary: boolean) => {
    const buf = data as Buffer;
    const deliver = () => {
      if (!client || over) return;
      cork(client);
      // ws has checked a text frame is UTF-8: its bytes go on as they are.
      client.send({ text: !binary, data: buf });
      if (client.bufferedAmount > hooks.maxBuffer) {
        finish(1008, "client too slow");
        upstream.close(1000, "");
      }
    };
    if (early) early.push(deliver);
    else deliver();
  });
  upstream.on("close", (code: number, reason: Buffer) => {
    const closing = () => finish(...clientClose(code, reason.toString()));
    if (early) early.push(closing);
    else closing();
  });
  // Listening now: what dialOwner held back may flow (into `early` until the client is open).
  upstream.resume();
  return {
    room,
    cancel: () => upstream.terminate(),
    open(socket: Socket): Membership {
      client = socket;
      hooks.opened(shut);
      for (const run of early!) run();
      early = null;
      return {
        message(data) {
          if (over) return;
          upstream.send(data, { binary: typeof data !== "string" });
          if (upstream.bufferedAmount > hooks.maxBuffer) {
            finish(1008, "input buffer full");
            upstream.close(1000, "");
          }
        },
        closed(code, reason) {
          over = true;
          hooks.closed(shut);
          const [c, r] = upstreamClose(code, reason);
          // A client that vanished (1006) vanishes for the owner too: with --resume it is
          // kept there for a return, not ended as a clean close would end it.
          if (upstream.readyState === WebSocket.OPEN && code !== 1006) upstream.close(c, r);
          else upstream.terminate();
        },
      };
    },
  };
}

/**
 * The owner's close, as the client gets it. 1005 (no code) is a plain close; 1006 means the
 * owner vanished without a close frame: the room starts again elsewhere, so try again later.
 */
function clientClose(code: number, reason: string): [number, string] {
  if (code === 1005) return [1000, ""];
  if (code === 1006) return [1013, "room owner unreachable, try again"];
  return [code, reason];
}

/** The client's close, as the owner gets it: codes that cannot be sent become 1000. */
function upstreamClose(code: number, reason: string): [number, string] {
  const sendable = code === 1000 ||
    (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code)) ||
    (code >= 3000 && code <= 4999);
  return sendable ? [code, reason] : [1000, ""];
}
