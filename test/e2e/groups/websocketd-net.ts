// End to end: websocketd's connection flags (S11): origins, TLS, redirects, unix sockets, pings.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type WebSocket from "ws";
import { launch, type Launcher, PY, type Running, waitFor } from "../harness.ts";
import { Client, refusal } from "../client.ts";
import { launchUnix, nextText, openSocket, rawRequest, tempDir } from "./websocketd-util.ts";

export function websocketdNetTests(l: Launcher): void {
  originTests(l);
  tlsTests(l);
  socketTests(l);
}

/** Opens and closes a socket with this Origin; the refusal's status, or 101 when accepted. */
async function statusFor(url: string, origin: string | null): Promise<number> {
  try {
    await (await Client.open(url, origin === null ? {} : { Origin: origin })).close();
    return 101;
  } catch (e) {
    if ((e as { status?: number }).status !== undefined) return (e as { status: number }).status;
    throw e;
  }
}

function originTests(l: Launcher): void {
  describe("--sameorigin", () => {
    let s: Running;
    before(async () => s = await launch(l, ["--sameorigin", ...PY, "echo"]));
    after(() => s.stop());

    it("accepts an Origin naming this server and refuses another with 403 and a body", async () => {
      assert.equal(await statusFor(s.ws("/r"), `http://127.0.0.1:${s.port}`), 101);
      const r = await refusal(s.ws("/r"), { Origin: `http://evil.example:${s.port}` });
      assert.equal(r.status, 403);
      assert.match(r.body, /Origin not allowed/);
      assert.equal(await statusFor(s.ws("/r"), "http://127.0.0.1:1"), 403, "another port");
    });
  });
  // No Origin, --origin's matching rules and plain GETs are checked in process
  // (test/unit/app-origin.test.ts); this shows a 403 on the wire, with the real Host and port.
}

function tlsTests(l: Launcher): void {
  describe("--ssl with --redirport", () => {
    let s: Running;
    let redirPort: number;
    before(async () => {
      const dir = tempDir("tls");
      const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
      execFileSync("openssl", [
        ...["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"],
        ...["-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert],
      ], { stdio: "pipe" });
      s = await launch(l, [
        ...["--ssl", "--sslcert", cert, "--sslkey", key, "--redirport", "0"],
        ...PY,
        "env",
      ]);
      redirPort = Number((await s.waitForLog(/redirecting http:\/\/\S+:(\d+) to https/))[1]);
    });
    after(() => s.stop());

    it("serves wss, and the child gets HTTPS=on", async () => {
      const ws = await openSocket(`wss://127.0.0.1:${s.port}/secure`, {
        rejectUnauthorized: false,
      });
      const env = JSON.parse(await nextText(ws, "the child's environment"));
      ws.close();
      assert.equal(env.HTTPS, "on");
      assert.equal(env.ROOM, "secure");
      assert.equal(env.SERVER_PORT, String(s.port));
    });

    it("serves https: GET /health answers 200", async () => {
      const res = await rawRequest(`https://127.0.0.1:${s.port}`, "/health");
      assert.equal(res.status, 200);
      assert.deepEqual(JSON.parse(res.body), { status: "ok" });
    });

    it("--redirport answers plain http with 301 to the same path over https", async () => {
      const res = await rawRequest(`http://127.0.0.1:${redirPort}`, "/some/path?q=1");
      assert.equal(res.status, 301);
      assert.equal(res.headers.location, `https://127.0.0.1:${s.port}/some/path?q=1`);
    });
  });
}

function socketTests(l: Launcher): void {
  it("--unixsocket serves rooms on a unix socket (ws+unix://PATH:/room)", async () => {
    const sock = join(tempDir("unix"), "ss.sock");
    const s = await launchUnix(l, ["--unixsocket", sock, ...PY, "env"]);
    try {
      const c = await Client.open(`ws+unix:${sock}:/lobby?x=1`);
      const env = JSON.parse(await c.text("the child's environment"));
      assert.equal(env.ROOM, "lobby");
      assert.equal(env.QUERY_STRING, "x=1");
      await c.close();
    } finally {
      await s.stop();
    }
  });

  it("--pingms pings clients and closes one that does not answer within about 2×MS", async () => {
    const pingMs = 300;
    const s = await launch(l, ["--pingms", String(pingMs), ...PY, "echo"]);
    let pings = 0;
    const normal = await openSocket(s.ws("/ping"));
    normal.on("ping", () => pings++);
    const openedAt = Date.now();
    // autoPong: false keeps ws from answering pings, so this client looks dead.
    const silent = await openSocket(s.ws("/ping"), { autoPong: false });
    let silentPings = 0;
    silent.on("ping", () => silentPings++);
    await closedWithin(silent, 15_000);
    // openedAt was taken before the silent client connected, so took covers all the silence the
    // server counted (on Deno 2×300 ms rounds up to 1 s).
    const took = Date.now() - openedAt;
    assert.ok(took >= 2 * pingMs, `the silent client was closed after only ${took} ms`);
    assert.ok(silentPings >= 1, "the silent client was closed without being pinged");
    await waitFor(() => pings >= 2, "a second ping to the answering client", 15_000);
    assert.equal(normal.readyState, 1, "the answering client was closed");
    normal.send("still here");
    assert.equal(await nextText(normal, "the echo"), "still here");
    normal.close();
    await s.stop();
  });
}

function closedWithin(ws: WebSocket, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`silent client not closed in ${ms} ms`)), ms);
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
