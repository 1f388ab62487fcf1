// The validated configuration every module consumes; only src/cli builds it.

/** How a room turns the child's output bytes into messages, and client messages into input. */
export type Split =
  /** Lines ending in `\n` (a trailing `\r` removed); input gets a `\n` appended. */
  | { kind: "lines" }
  /** Messages end at any of these bytes (`--null`, `--delimiters`); input gets the first appended. */
  | { kind: "bytes"; delimiters: number[] }
  /** Raw chunks both ways (`--binary`). */
  | { kind: "binary" };

/** How messages are framed on one side of the child. */
export type Framing = "none" | "json" | "gwsocket";

export type LogFormat = "text" | "json";
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

export interface ListenAddr {
  /** Host name or IP as given (brackets removed from IPv6). */
  host: string;
  /** 0 asks the system for a free port. */
  port: number;
}

export interface Config {
  /**
   * Program and its arguments, passed as a vector: never through a shell. "" with --dir, and with
   * only --staticdir or --cgidir (plain HTTP; websocket requests get 404).
   */
  cmd: string;
  args: string[];
  /** --dir: every executable in this directory is served at /<name>; null: serve cmd. */
  dir: string | null;
  /** --perconnection: every connection gets its own child (websocketd's model), no rooms. */
  perConnection: boolean;
  /** Every address the server listens on (`--addr`, or websocketd's `--port`/`--address`). */
  listen: ListenAddr[];
  /** --unixsocket: listen on this unix socket instead of `listen`. */
  unixSocket: string | null;
  split: Split;
  /** Framing of client messages to the child, and of the child's output to clients. */
  frame: { client: Framing; server: Framing };
  /** Written to the child when a client joins / leaves (#ID, #ROOM … replaced); null: none. */
  joinMsg: string | null;
  leaveMsg: string | null;
  /** Replay the room's last `size` messages to new clients (tagged: only `"_cache": true`). */
  cache: { kind: "all" | "tagged"; size: number } | null;
  /** Keep a room's cache after its child ends, for the room's next child. */
  cachePersist: boolean;
  /** Seconds to wait after spawning before input is written (`--delay`). */
  delay: number;
  /**
   * --resume: seconds a membership whose connection dropped (no close frame) is kept for a
   * return with its token; 0: never kept (clients that ask still get a Welcome).
   */
  resume: number;
  /** Seconds a room and its child outlive their last client (`--linger`). */
  linger: number;
  /** --restart: a crashed child with clients is started again at most this often a minute; 0: never. */
  restart: number;
  /** --unbuffered: the child runs with its runtime's unbuffering variables, under stdbuf if found. */
  unbuffered: boolean;
  /** Extra milliseconds added to each wait of the termination table (`--closems`). */
  closeMs: number;
  /** Names of the server's environment variables the child inherits. */
  passEnv: string[];
  /** Only these room names are accepted; null accepts any valid name. */
  rooms: string[] | null;
  /** Cap on live rooms (= live children); null is unlimited. */
  maxRooms: number | null;
  /**
   * --tcp: each room's child gets the lowest free port of this range (END inclusive) as
   * PORT, and messages go over a TCP connection to it instead of stdin and stdout; null: stdio.
   */
  tcp: { start: number; end: number } | null;
  /** Serve one client, then exit. */
  oneshot: boolean;
  /** Directory served for plain HTTP GET/HEAD; null serves nothing. */
  staticDir: string | null;
  /** Unsent bytes one client may have, and bytes of input a child may leave unread. */
  maxBuffer: number;
  /** Largest client message accepted and largest output message sent, in bytes. */
  maxFrameSize: number;
  /** Who may open websockets (websocketd's --sameorigin and --origin); others get 403. */
  origin: { same: boolean; allow: string[] | null };
  /** --ssl: serve https and wss with this certificate and key (PEM file paths). */
  tls: { cert: string; key: string } | null;
  /** --redirport: a plain HTTP port that redirects everything to the https address. */
  redirPort: number | null;
  /** --pingms: ping clients this often, drop those silent for twice as long; null: never. */
  pingMs: number | null;
  /** --passstderr: stdout and stderr lines go to clients as {"stream":…,"data":…}. */
  passStderr: boolean;
  /** --cgidir: plain HTTP requests for /NAME run the CGI script DIR/NAME; null: none. */
  cgiDir: string | null;
  /** --reverselookup: REMOTE_HOST is the client's host name by reverse DNS. */
  reverseLookup: boolean;
  /** --devconsole: every plain GET not otherwise served gets a page to try the socket. */
  devConsole: boolean;
  /** Extra response headers: on every response, on upgrades only, on plain HTTP only. */
  headers: { all: [string, string][]; ws: [string, string][]; http: [string, string][] };
  /** Serve GET /api/rooms and friends, and the lobby page at / without --staticdir. */
  api: boolean;
  /** Serve GET /metrics in OpenMetrics text. */
  metrics: boolean;
  /** --cluster: rooms are leased in Redis and shared by every node; null: this process only. */
  cluster: ClusterConfig | null;
  /** Who may join, checked before the upgrade (--jwt-*, --auth); null: anyone who reaches us. */
  auth: AuthConfig | null;
  /** --maxclients: clients one room admits; the next one gets 429 before the upgrade. */
  maxClients: number | null;
  /** --ratelimit: each client may send `messages` per `seconds`, in bursts of `messages`. */
  rateLimit: { messages: number; seconds: number } | null;
  log: LogFormat;
  logLevel: LogLevel;
}

/** Authentication: a JWT (one of three key sources) or the application's own endpoint. */
export interface AuthConfig {
  /** How tokens are verified; null with --auth. */
  jwt: JwtConfig | null;
  /** --auth: asked before every upgrade, with the client's credentials; null with a JWT. */
  endpoint: { url: string; timeoutMs: number } | null;
  /** --jwt-cookie: a cookie that may carry the token; null: header, query or subprotocol only. */
  cookie: string | null;
  /** Close a connection with 1008 when its token expires (unless --jwt-no-expire-close). */
  expireClose: boolean;
  /** --public-api: /api, /metrics and the lobby page stay open without credentials. */
  publicApi: boolean;
}

export interface JwtConfig {
  /** --jwt-secret (or its variable), --jwt-key FILE, --jwks URL or --jwks FILE. */
  key:
    | { kind: "secret"; secret: string }
    | { kind: "pem"; file: string }
    | { kind: "jwks"; url: string }
    | { kind: "jwks"; file: string };
  /** --jwt-audience: the token's `aud` must name it; null: not checked. */
  audience: string | null;
  /** --jwt-issuer: the token's `iss` must be it; null: not checked. */
  issuer: string | null;
}

/** Cluster mode: one process per room across every node that shares the Redis. */
export interface ClusterConfig {
  /** The redis:// or rediss:// URL as given; it may hold a password, so it is never logged. */
  url: string;
  /** The same URL with its password masked, for log lines and error messages. */
  redacted: string;
  /** HOST:PORT other nodes reach this one at (IPv6 in brackets). */
  advertise: string;
  /** This node's name in leases and the lobby; null: made at start (host-pid-random). */
  nodeId: string | null;
  /** Signs connections one node relays to another; from the flag or the environment. */
  secret: string;
  /** Prefix of every Redis key, so clusters can share one Redis. */
  prefix: string;
  /** Lease length; renewals, the guard and the deadlines derive from it. */
  leaseMs: number;
  /** On SIGTERM, how long rooms may run on before their clients get 1012. */
  drainMs: number;
}
