// Test harness: a TCP relay in front of Redis, one per node, to cut that node alone off Redis.
import { createConnection, createServer, type Socket } from "node:net";
import type { Buffer } from "node:buffer";

export interface TcpRelay {
  readonly port: number;
  /** redis://127.0.0.1:PORT through this relay. */
  readonly url: string;
  /** Connections open through it now. */
  readonly connections: number;
  /**
   * Stops moving bytes both ways, on open connections and on new ones, as a network that
   * drops packets would: nothing is lost, it is delivered late (or never, if cut meanwhile).
   */
  pause(): void;
  resume(): void;
  /** Drops every open connection at once (new ones are still accepted unless paused). */
  cut(): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket;
  /** Bytes held back while paused, per direction, in arrival order. */
  held: { to: Socket; chunk: Buffer }[];
}

export async function startTcpRelay(targetPort: number, host = "127.0.0.1"): Promise<TcpRelay> {
  const pairs = new Set<Pair>();
  let paused = false;
  // A gate of our own rather than socket.pause(): pipe() resumes a paused source on 'drain'.
  const forward = (pair: Pair, to: Socket) => (chunk: Buffer) => {
    if (paused) pair.held.push({ to, chunk });
    else to.write(chunk);
  };
  const server = createServer((client) => {
    const upstream = createConnection({ port: targetPort, host });
    const pair: Pair = { client, upstream, held: [] };
    pairs.add(pair);
    client.on("data", forward(pair, upstream));
    upstream.on("data", forward(pair, client));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get connections() {
      return pairs.size;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const pair of pairs) {
        for (const { to, chunk } of pair.held.splice(0)) to.write(chunk);
      }
    },
    cut() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      pairs.clear();
    },
    close() {
      for (const pair of pairs) {
        pair.client.destroy();
        pair.upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
