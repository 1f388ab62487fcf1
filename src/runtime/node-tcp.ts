// The runtime seam's TCP members on Node (--tcp): connecting to a child, probing a port.
import { createConnection, createServer } from "node:net";
import type { Socket } from "node:net";
import type { TcpConn } from "./types.ts";

export function connectTcp(host: string, port: number): Promise<TcpConn> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host, port });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(wrapSocket(socket));
    });
  });
}

function wrapSocket(socket: Socket): TcpConn {
  // Messages are small and interactive: do not hold them back to fill segments.
  socket.setNoDelay(true);
  // A reset is reported by "close" as well; without a listener it would throw.
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    read(onChunk) {
      socket.on("data", onChunk);
      return closed;
    },
    write(data) {
      if (!socket.destroyed && socket.writable) socket.write(data);
    },
    get pending() {
      return socket.writableLength;
    },
    close: () => void socket.destroy(),
  };
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}
