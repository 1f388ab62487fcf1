// --tcp ports: each live room holds the lowest port of the range that nothing else uses.

export class PortPool {
  /** Ports held by live rooms, and ports being probed for one. */
  private readonly held = new Set<number>();

  constructor(
    private readonly range: { start: number; end: number },
    /** Whether nothing listens on the port now (the runtime binds it briefly). */
    private readonly free: (port: number) => Promise<boolean>,
  ) {}

  /**
   * The lowest port neither held nor in use, now held; null when there is none. A port is held
   * while it is probed, so rooms opened at the same moment never get the same one.
   */
  async take(): Promise<number | null> {
    for (let port = this.range.start; port <= this.range.end; port++) {
      if (this.held.has(port)) continue;
      this.held.add(port);
      if (await this.free(port).catch(() => false)) return port;
      this.held.delete(port);
    }
    return null;
  }

  /** The port's room has ended (its child and group are gone): the port may be taken again. */
  release(port: number): void {
    this.held.delete(port);
  }
}
