// A TCP proxy a test can cut: both ends lose the connection without a close frame, as when a
// phone leaves the Wi-Fi, and it can refuse reconnects until the test lets them through.
import { createServer, type Socket } from "node:net";
import { connect } from "node:net";

export interface Cutter {
  port: number;
  /** Ends every connection through it at once, with no websocket close frame. */
  cut(): void;
  /** While blocked, new connections are ended as soon as they arrive. */
  block(blocked: boolean): void;
  close(): Promise<void>;
}

export async function cutter(targetPort: number): Promise<Cutter> {
  const open = new Set<Socket>();
  let blocked = false;
  const track = (s: Socket) => {
    open.add(s);
    s.on("close", () => open.delete(s));
    // A cut end may see ECONNRESET: that is the point, not a failure.
    s.on("error", () => s.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (blocked) return void client.destroy();
    const upstream = connect(targetPort, "127.0.0.1");
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    cut() {
      for (const s of open) s.destroy();
    },
    block(on) {
      blocked = on;
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
