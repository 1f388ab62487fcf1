// The runtime seam's TCP members on Deno (--tcp): connecting to a child, probing a port.
import type { TcpConn } from "./types.ts";

export async function connectTcp(hostname: string, port: number): Promise<TcpConn> {
  const conn = await Deno.connect({ hostname, port, transport: "tcp" });
  // Messages are small and interactive: do not hold them back to fill segments.
  conn.setNoDelay(true);
  const writer = conn.writable.getWriter();
  let pending = 0;
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    try {
      conn.close();
    } catch {
      // Already closed by the end of its readable side.
    }
  };
  return {
    async read(onChunk) {
      try {
        for await (const chunk of conn.readable) onChunk(chunk);
      } catch {
        // A reset ends the connection like EOF; the child's exit says what happened.
      }
      close();
    },
    write(data) {
      if (!open) return;
      pending += data.byteLength;
      const done = () => pending -= data.byteLength;
      writer.write(data).then(done, done);
    },
    get pending() {
      return pending;
    },
    close,
  };
}

export function portFree(port: number): Promise<boolean> {
  try {
    Deno.listen({ hostname: "127.0.0.1", port, transport: "tcp" }).close();
    return Promise.resolve(true);
  } catch {
    return Promise.resolve(false);
  }
}
