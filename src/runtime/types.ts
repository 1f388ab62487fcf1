// The runtime seam: everything the engine needs from Node or Deno, and nothing more.
import type { Hono } from "hono";
import type { Context } from "hono";

/** How a child ended: exactly one of code and signal is set. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface SpawnOptions {
  env: Record<string, string>;
}

export type StopSignal = "SIGINT" | "SIGTERM" | "SIGKILL";

/** A running child process with piped stdin, stdout and stderr. */
export interface Child {
  readonly pid: number;
  /**
   * Starts reading stdout and stderr; chunks arrive in order. The promise settles when both
   * streams have ended (a grandchild holding them open keeps it pending).
   */
  readOutput(
    onStdout: (chunk: Uint8Array) => void,
    onStderr: (chunk: Uint8Array) => void,
  ): Promise<void>;
  /** Writes to stdin; errors (the child closed it) are swallowed: the exit tells the story. */
  write(data: Uint8Array): void;
  /** Bytes written to stdin that the child has not taken yet. */
  readonly pendingInput: number;
  closeStdin(): void;
  /** Sends a signal to the child's whole process group; false when nothing was left to signal. */
  signalGroup(signal: StopSignal): boolean;
  /** True while any process of the child's group is alive. */
  groupAlive(): boolean;
  /** Settles when the child process itself has exited. */
  readonly exited: Promise<ExitStatus>;
}

/** A TCP connection the server opened (--tcp: to a room's child). */
export interface TcpConn {
  /**
   * Starts reading; chunks arrive in order. The promise settles when the connection has
   * closed, by either side or by an error, after the last chunk.
   */
  read(onChunk: (chunk: Uint8Array) => void): Promise<void>;
  /** Writes; errors are swallowed: the connection closing tells the story. */
  write(data: Uint8Array): void;
  /** Bytes written that the peer has not taken yet. */
  readonly pending: number;
  close(): void;
}

/** The peer of one HTTP request, as the socket saw it. */
export interface PeerInfo {
  address: string;
  port: number;
}

export interface Listener {
  /** The real address bound (port resolved when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  /** Stops accepting connections; open websockets are left to the caller. */
  close(): Promise<void>;
}

export interface ServeOptions {
  host: string;
  port: number;
  /** Listen on this unix socket instead of host and port. */
  path?: string;
  /** Largest websocket message accepted before the runtime closes with 1009, if it can. */
  maxPayload: number;
  /** Serve https/wss with this PEM certificate and key (file contents). */
  tls?: { cert: string; key: string };
}

/** A file found for static serving. */
export interface StaticFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

/** A message made ready once, to be sent to many sockets. */
export interface Outgoing {
  /** A text frame (true) or a binary one. */
  readonly text: boolean;
  /** What the runtime's socket sends: for text, the string or its UTF-8 bytes. */
  readonly data: string | Uint8Array;
}

/** An upgraded socket as the rooms use it. */
export interface WireSocket {
  send(msg: Outgoing): void;
  /** Bytes queued towards the client and not yet sent. */
  readonly bufferedAmount: number;
  /** 3 once closed. */
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  /** Gathers writes until release(), for one write per batch; a no-op where unsupported. */
  hold(): void;
  release(): void;
  /** Drops the connection at once, where the runtime can. */
  terminate?(): void;
}

/** What an upgraded socket tells the server; exceptions thrown by these are caught and logged. */
export interface SocketEvents {
  /** The socket is open; raw is the runtime's socket, for wire(). */
  onOpen(raw: unknown): void;
  /** A whole message: a string for a text frame, bytes for a binary one. */
  onMessage(data: string | Uint8Array): void;
  /** The socket closed (1006 when it closed without a close frame, or before it opened). */
  onClose(code: number, reason: string): void;
}

export interface UpgradeOptions {
  /** Ping the client every pingMs; close it when it stays silent for twice that. */
  pingMs?: number | null;
}

export interface Runtime {
  readonly name: "node" | "deno";
  /** "linux", "darwin", "windows" … */
  readonly os: string;
  /** Starts CMD ARGS; rejects with an Error whose message names the cause. */
  spawn(cmd: string, args: string[], opts: SpawnOptions): Promise<Child>;
  /** Opens a TCP connection; rejects when nothing accepts it (yet). */
  connectTcp(host: string, port: number): Promise<TcpConn>;
  /** Whether this port can be bound on 127.0.0.1 now (probed by binding it briefly). */
  portFree(port: number): Promise<boolean>;
  serve(app: Hono, opts: ServeOptions): Promise<Listener>;
  /** Upgrades the request behind c to a websocket; returns the response to send. */
  upgrade(c: Context, events: SocketEvents, opts?: UpgradeOptions): Promise<Response>;
  /** Encodes a message once for every socket it goes to. */
  prepare(msg: string | Uint8Array): Outgoing;
  /** The rooms' view of an upgraded socket (what SocketEvents.onOpen was given). */
  wire(raw: unknown): WireSocket;
  /** The peer of the request behind this Hono context. */
  peer(c: unknown): PeerInfo;
  /** Calls handler on SIGINT/SIGTERM; returns a function that removes it. */
  onSignal(handler: (signal: string) => void): () => void;
  env(): Record<string, string>;
  writeStderr(text: string): void;
  /** Whether stderr is a terminal (for colour). */
  stderrIsTTY(): boolean;
  /** Resolves symlinks; null when the path does not exist. */
  realPath(path: string): Promise<string | null>;
  isDir(path: string): Promise<boolean>;
  readTextFile(path: string): Promise<string>;
  /** The host name of an IP address by reverse DNS, or null (failure or timeout). */
  reverseLookup(ip: string): Promise<string | null>;
  /** A regular file with an execute bit. */
  isExecutable(path: string): Promise<boolean>;
  openFile(path: string): Promise<StaticFile | null>;
}
