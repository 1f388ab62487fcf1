// --tcp: a room's messages go over a TCP connection to its child's PORT (given in its
// environment), not its stdio; the child's stdout is then only logged.
import type { Runtime, TcpConn } from "../runtime/types.ts";
import type { Output } from "../codec/output.ts";

/** The child is reached on loopback only: PORT is never meant to be served to the world. */
const HOST = "127.0.0.1";
/** How often a child that does not listen yet is tried again. */
export const RETRY_MS = 50;
/** How long a child may take to listen when --delay does not say. */
export const CONNECT_SECONDS = 5;

/** The TCP side of one room's child: connects, then carries its input and output. */
export class TcpLink {
  /** True once the child has exited: nothing will listen any more. */
  private exited = false;
  private conn: TcpConn | null = null;
  private connecting: Promise<unknown> = Promise.resolve();
  /** Settles when the connection's output has all been pushed and ended. */
  private closed: Promise<void> = Promise.resolve();

  constructor(
    private readonly runtime: Runtime,
    readonly port: number,
    private readonly output: Output,
    /** Whether the room is stopping: connecting is given up then too. */
    private readonly stopping: () => boolean,
  ) {}

  /** Connecting is given up: the child exited, or the room is stopping. */
  givenUp(): boolean {
    return this.exited || this.stopping();
  }

  /**
   * Connects, trying again every RETRY_MS: a child needs a moment to start listening. The
   * connection is both ways the room's; null once `seconds` have passed or it was given up.
   */
  connect(seconds: number): Promise<TcpConn | null> {
    const attempt = this.retry(Date.now() + seconds * 1000);
    this.connecting = attempt;
    return attempt;
  }

  /** The child has exited: waits until what it sent has been delivered, then lets go. */
  async finish(): Promise<void> {
    this.exited = true;
    await this.connecting;
    await this.closed;
    this.conn?.close();
  }

  private async retry(deadline: number): Promise<TcpConn | null> {
    while (!this.givenUp()) {
      try {
        const conn = await this.runtime.connectTcp(HOST, this.port);
        this.conn = conn;
        // The connection closing is the child's stdout ending: what is left is delivered.
        this.closed = conn.read((chunk) => this.output.push(chunk)).then(() => this.output.end());
        return conn;
      } catch {
        // Not listening yet (or no longer): try again until the deadline.
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.givenUp()) return null;
      await new Promise((r) => setTimeout(r, Math.min(RETRY_MS, left)));
    }
    return null;
  }
}
