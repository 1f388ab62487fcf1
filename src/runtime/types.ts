// The runtime seam: what the engine needs from the operating system (processes, signals,
// files, TCP, DNS, environment), and nothing more. HTTP and websockets are not part of it:
// they are the same code on both runtimes (src/http/).

/** How a child ended: exactly one of code and signal is set. */
export interface ExitStatus {
  code: number | null;
  signal: string | null;
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** --unbuffered: on Linux with glibc, run the program under `stdbuf -oL -eL` if installed. */
  lineBuffered?: boolean;
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

/** A file found for static serving. */
export interface StaticFile {
  body: ReadableStream<Uint8Array>;
  size: number;
}

export interface Runtime {
  /** "linux", "darwin", "windows" … */
  readonly os: string;
  /** Starts CMD ARGS; rejects with an Error whose message names the cause. */
  spawn(cmd: string, args: string[], opts: SpawnOptions): Promise<Child>;
  /** Opens a TCP connection; rejects when nothing accepts it (yet). */
  connectTcp(host: string, port: number): Promise<TcpConn>;
  /** Whether this port can be bound on 127.0.0.1 now (probed by binding it briefly). */
  portFree(port: number): Promise<boolean>;
  /** Calls handler on SIGINT/SIGTERM; returns a function that removes it. */
  onSignal(handler: (signal: string) => void): () => void;
  env(): Record<string, string>;
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
