// Websocket handshakes on bare TCP sockets, for the burst: a ws client costs the load worker
// more than the server, and hundreds must reach the server at once.
import { Buffer } from "node:buffer";
import { connect, type Socket } from "node:net";

export interface Shaken {
  s: Socket;
  /** What came after the 101 response in the same read. */
  rest: Buffer;
}

/** A websocket handshake on a bare TCP socket, resolved once the server answers 101. */
export function handshake(url: string, connected?: () => void): Promise<Shaken> {
  const { hostname, port, pathname } = new URL(url);
  const request = [
    `GET ${pathname} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => {
      connected?.();
      s.write(request);
    });
    s.once("error", (err) => reject(err));
    s.once("data", (d: Buffer) => {
      const end = d.indexOf("\r\n\r\n");
      if (d.toString("latin1").startsWith("HTTP/1.1 101") && end >= 0) {
        return resolve({ s, rest: d.subarray(end + 4) });
      }
      s.destroy();
      reject(new Error(d.toString("latin1").split("\r\n")[0]));
    });
  });
}

/** The payload of the first (short, unmasked) frame the server sends. */
export function firstFrame({ s, rest }: Shaken): Promise<Buffer> {
  return new Promise((resolve) => {
    let buf = rest;
    const check = () => {
      if (buf.length < 2 || buf.length < 2 + (buf[1] & 0x7f)) return false;
      s.off("data", more);
      resolve(buf.subarray(2, 2 + (buf[1] & 0x7f)));
      return true;
    };
    const more = (d: Buffer) => void (buf = Buffer.concat([buf, d]), check());
    if (!check()) s.on("data", more);
  });
}
