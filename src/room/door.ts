// The door to the rooms: the only way a client gets into a room, wherever the room lives.
//
// The server asks the door to admit a websocket request before it upgrades it, and gets a
// ticket or a refusal it can still answer as an HTTP status. When the socket opens, the ticket
// becomes a membership; when the socket closes, the membership ends. LocalRegistry
// (registry.ts) keeps its rooms in this process; a cluster registry can keep them on other
// nodes (its ticket relays the socket to the room's owner) behind the same interface.
import type { Identity } from "../auth/identity.ts";
import type { Outgoing } from "../codec/outgoing.ts";
import type { ClusterGauges } from "../cluster/stats.ts";

/** The peer of one HTTP request, as the socket saw it. */
export interface PeerInfo {
  address: string;
  port: number;
}

/** What the door is told of a websocket request: all the child's environment needs. */
export interface AdmitRequest {
  /** The full URL as the app saw it; its path (still percent-encoded) names the room. */
  url: string;
  method: string;
  /** Request headers, names in any case; a name may repeat. */
  headers: [string, string][];
  peer: PeerInfo;
  /** Whether the request came over TLS (HTTPS=on for the child). */
  tls: boolean;
  /** Who the client is, once verified (by authorize, or by the node that relayed it). */
  identity?: Identity | null;
  /**
   * Authentication (--jwt-*, --auth), asked once the room is known and before any place in it
   * is held, so a refused client never starts a child; absent: nothing to check.
   */
  authorize?: Authorize;
}

/** Verifies the client for the room it asks for (the route's name, null without rooms). */
export type Authorize = (room: string | null) => Promise<Identity | Refusal>;

/** Why a request is not admitted: an HTTP status, a metrics label and a line for the client. */
export interface Refusal {
  status: 400 | 401 | 403 | 404 | 429 | 503;
  /** Label of scalesocket_connections_refused_total ("too_many_rooms" …). */
  reason: string;
  text: string;
  /** For the log line of the refusal: what the user may have meant. */
  hint?: string;
  /** Response headers the refusal needs (WWW-Authenticate on a 401). */
  headers?: Record<string, string>;
}

/** An upgraded websocket, as the edge wraps it once for everything behind the door. */
export interface Socket {
  send(msg: Outgoing): void;
  /** Bytes queued towards the client and not yet sent. */
  readonly bufferedAmount: number;
  /** True once the socket has closed. */
  readonly closed: boolean;
  /** Everything sent goes before the close frame, except with 1008: then it is dropped. */
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake. */
  terminate(): void;
  /** Gathers writes until release(), so a burst of messages leaves in one write. */
  hold(): void;
  release(): void;
}

/** A client inside a room; the edge reports its socket's traffic here. */
export interface Membership {
  /** A whole message: a string for a text frame, bytes for a binary one. */
  message(data: string | Uint8Array): void;
  /** The socket closed (1006 when it closed without a close frame). */
  closed(code: number, reason: string): void;
}

/** A place held in a room between the admission and the socket opening. */
export interface Ticket {
  /** The room's name, for logs. */
  readonly room: string;
  /** The socket is open: the client joins the room (whose owner gives it its member id). */
  open(socket: Socket): Membership;
  /** The upgrade failed or the client left first: the place is given up. */
  cancel(): void;
}

/** A room as the API, the lobby and the metrics see it. */
export interface RoomSnapshot {
  name: string;
  /** Members in the room now. */
  connections: number;
  /** What the child last said with `_meta`; null until then. */
  metadata: Record<string, unknown> | null;
  /** Cluster mode: the node that owns the room. */
  node?: string;
  /** --maxclients: members the room admits at most. */
  capacity?: number;
}

/** What /metrics reads at scrape time. */
export interface Gauges {
  /** Rooms whose child has not fully ended (what --maxrooms caps). */
  rooms: number;
  /** Open websocket connections, by room name. */
  connections: Map<string, number>;
  /** Members kept for a return after their connection dropped (--resume). */
  suspended?: number;
  /** Cluster mode's leases, relays and Redis link. */
  cluster?: ClusterGauges;
}

export interface Door {
  /** Admits a websocket request to its room, or says why not, before the upgrade. */
  admit(req: AdmitRequest): Sync<Ticket | Refusal>;
  /**
   * Cluster mode: admits a link from another node that carries its relayed clients of a room
   * (src/cluster/link.ts); null when req does not ask for one.
   */
  link?(req: AdmitRequest): Promise<Ticket | Refusal> | null;
  /** Joinable rooms, sorted by name. */
  list(): Promise<RoomSnapshot[]>;
  /** The joinable room of this name, if there is one. */
  find(name: string): Promise<RoomSnapshot | null>;
  gauges(): Gauges;
  /** Settles when no connection is open (or after ms). */
  drained(ms: number): Promise<void>;
  /**
   * Takes one of --maxrooms' slots for a process that is not a room (a CGI script, counted
   * like websocketd's --maxforks does); returns its release, or null when none is free.
   */
  hold(): (() => void) | null;
  /** Ends every room, closing members with code and reason; settles when all have ended. */
  closeAll(code: number, reason: string): Promise<void>;
  /** Kills every room's child at once. */
  killAll(): void;
}

export function refused(x: Ticket | Refusal): x is Refusal {
  return "status" in x;
}

/** req with the identity authorize vouches for (and no authorize left), or its refusal. */
export function authorized(
  req: AdmitRequest,
  room: string | null,
): Sync<AdmitRequest | Refusal> {
  if (!req.authorize) return req;
  return req.authorize(room).then((who) => {
    if ("status" in who) return who;
    const { authorize: _, ...rest } = req;
    return { ...rest, identity: who };
  });
}

/**
 * A value, or a promise of it when it must wait for something (a lookup, Redis, a token check).
 * Admission hands back plain values when nothing waits: on Deno, each await of a handshake queues
 * it behind every other handshake that arrived in the same batch, and a new room's child is only
 * started at the end of its first client's handshake.
 */
export type Sync<T> = T | Promise<T>;

/** f applied to v, at once when v is a plain value. */
export function andThen<T, U>(v: Sync<T>, f: (t: T) => Sync<U>): Sync<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}
