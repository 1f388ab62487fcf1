// --staticdir end to end: nothing outside the directory is served, whatever the raw target.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, type Launcher, PY, type Running } from "../harness.ts";

const SECRET = "top secret: never served";

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** Everything after the head, exactly as sent. */
  body: Buffer;
  /** The whole response, to search for what must not be in it. */
  raw: string;
}

/**
 * Sends one request over a plain TCP socket, with the target exactly as given: no client
 * normalises `..` or decodes anything on the way.
 */
function request(port: number, method: string, target: string, ms = 10_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      );
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${target}: no complete response within ${ms} ms`));
    }, ms);
    socket.on("data", (d) => chunks.push(d));
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(new Error(`${method} ${target}: ${e.message}`));
    });
    socket.on("end", () => {
      clearTimeout(timer);
      try {
        resolve(parse(Buffer.concat(chunks)));
      } catch (e) {
        reject(new Error(`${method} ${target}: ${(e as Error).message}`));
      }
    });
  });
}

function parse(all: Buffer): RawResponse {
  const end = all.indexOf("\r\n\r\n");
  if (end === -1) throw new Error(`no complete response head in ${JSON.stringify(String(all))}`);
  const [statusLine, ...lines] = all.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(statusLine.split(" ")[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = all.subarray(end + 4);
  if (headers["transfer-encoding"] === "chunked") body = unchunk(body);
  return { status, headers, body, raw: all.toString("latin1") };
}

function unchunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = data.indexOf("\r\n", pos);
    const size = parseInt(data.subarray(pos, eol).toString(), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    pos = eol + 2 + size + 2;
  }
}

export function staticTests(l: Launcher): void {
  describe("static files", () => {
    let top: string;
    let dir: string;
    let s: Running;
    before(async () => {
      top = mkdtempSync(join(tmpdir(), "scalesocket-static-"));
      dir = join(top, "www");
      mkdirSync(join(dir, "sub"), { recursive: true });
      writeFileSync(join(top, "secret.txt"), SECRET);
      writeFileSync(join(dir, "index.html"), "<h1>home</h1>\n");
      writeFileSync(join(dir, "sub", "index.html"), "<h1>sub</h1>\n");
      symlinkSync(join(top, "secret.txt"), join(dir, "leak.txt"));
      symlinkSync(top, join(dir, "up"));
      s = await launch(l, ["--staticdir", dir, ...PY, "echo"]);
    });
    after(async () => {
      await s?.stop();
      if (top) rmSync(top, { recursive: true, force: true });
    });

    // Index pages, MIME types, HEAD and 404s are checked in process
    // (test/unit/app-static.test.ts); these targets need a raw socket, as any client would
    // normalise them, and the real runtime's symlink resolution.
    const escapes = [
      "/../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2e%2e%2fsecret.txt",
      "/sub/..%2f..%2fsecret.txt",
      "/sub/../../secret.txt",
      "/..%5csecret.txt",
      "/sub%2f..%2f..%2fsecret.txt",
      "/%252e%252e/secret.txt",
      "/%252e%252e%252fsecret.txt",
      "/leak.txt",
      "/up/secret.txt",
    ];
    for (const target of escapes) {
      it(`never serves a file outside the directory for ${target}`, async () => {
        const r = await request(s.port, "GET", target);
        assert.ok(
          r.status === 400 || r.status === 404,
          `${target} answered ${r.status}, not 400 or 404:\n${r.raw}`,
        );
        assert.ok(!r.raw.includes(SECRET), `${target} served the secret file:\n${r.raw}`);
      });
    }
  });
}
