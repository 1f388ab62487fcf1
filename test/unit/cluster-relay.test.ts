// The websocket relay between two loopback servers: a relaying node and a room's owner.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer } from "ws";
import { waitFor } from "../e2e/harness.ts";
import {
  forwardableHeaders,
  openUpstream,
  type RelaySide,
  sendableCode,
} from "../../src/cluster/relay.ts";

/** The owner: echoes, greets at once, refuses, or closes, by path; records request headers. */
interface Owner {
  server: Server;
  port: number;
  seen: IncomingMessage[];
  /** Close codes the owner's sockets got, by request URL. */
  closes: Map<string, number>;
}

function startOwner(): Promise<Owner> {
  const seen: IncomingMessage[] = [];
  const closes = new Map<string, number>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => p.has("chat") && "chat",
  });
  const server = createServer();
  server.on("upgrade", (req, socket: Duplex, head) => {
    seen.push(req);
    if (req.url === "/full") {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 14\r\n\r\nToo many rooms");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("close", (code) => closes.set(req.url!, code));
      if (req.url === "/greet") ws.send("welcome");
      if (req.url === "/greet-and-go") (ws.send("bye now"), ws.close(4002, "gone"));
      ws.on("message", (data, isBinary) => {
        const text = isBinary ? "" : data.toString();
        if (text.startsWith("close:")) ws.close(Number(text.slice(6)), "asked");
        else ws.send(data, { binary: isBinary });
      });
    });
  });
  return new Promise((resolve) =>
    server.listen(
      0,
      "127.0.0.1",
      () => resolve({ server, port: (server.address() as { port: number }).port, seen, closes }),
    )
  );
}

/** The relaying node: asks the owner first, answers the client's upgrade with its verdict. */
function startRelayNode(ownerPort: () => number): Promise<{ server: Server; port: number }> {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (p) => p.has("chat") && "chat",
  });
  const server = createServer();
  server.on("upgrade", async (req, socket: Duplex, head) => {
    const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((s) => s.trim());
    const result = await openUpstream({
      advertise: `127.0.0.1:${ownerPort()}`,
      url: req.url!,
      headers: { "x-scalesocket-forwarded": "test" },
      protocols: offered.filter((p) => p !== ""),
      timeoutMs: 2000,
    });
    if (result.kind !== "open") {
      const status = result.kind === "refused" ? result.status : 502;
      const body = result.kind === "refused" ? result.body : result.message;
      socket.end(
        `HTTP/1.1 ${status} X\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (client) => {
      const side: RelaySide = result.upstream.attach({
        send: (data) => client.send(data, { binary: typeof data !== "string" }),
        close: (code, reason) => client.close(code, reason),
      });
      client.on(
        "message",
        (data, isBinary) =>
          side.message(isBinary ? new Uint8Array(data as Buffer) : data.toString()),
      );
      client.on("close", (code, reason) => side.closed(code, reason.toString()));
    });
  });
  return new Promise((resolve) =>
    server.listen(
      0,
      "127.0.0.1",
      () => resolve({ server, port: (server.address() as { port: number }).port }),
    )
  );
}

type Received = { data: string | Uint8Array; binary: boolean };

/** A client of the relaying node that records what it gets. */
function connect(port: number, path: string, protocols: string[] = []) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, protocols);
  const got: Received[] = [];
  ws.on(
    "message",
    (data, binary) =>
      got.push({ data: binary ? new Uint8Array(data as Buffer) : data.toString(), binary }),
  );
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  // A test that expects a refusal never awaits opened; its rejection is not a failure then.
  opened.catch(() => {});
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() }))
  );
  const count = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () =>
        got.length >= n ? resolve() : ws.once("message", () => setImmediate(check));
      check();
    });
  return { ws, got, opened, closed, count };
}

describe("relay", () => {
  let owner: Awaited<ReturnType<typeof startOwner>>;
  let node: Awaited<ReturnType<typeof startRelayNode>>;
  let ownerPort = 0;
  before(async () => {
    owner = await startOwner();
    ownerPort = owner.port;
    node = await startRelayNode(() => ownerPort);
  });
  after(() => {
    owner.server.closeAllConnections();
    node.server.closeAllConnections();
    owner.server.close();
    node.server.close();
  });

  test("text and binary messages cross both ways and keep their kind", async () => {
    const c = connect(node.port, "/echo?x=1");
    await c.opened;
    c.ws.send("héllo");
    c.ws.send(new Uint8Array([0, 255, 1]));
    c.ws.send("");
    await c.count(3);
    assert.deepEqual(c.got, [
      { data: "héllo", binary: false },
      { data: new Uint8Array([0, 255, 1]), binary: true },
      { data: "", binary: false },
    ]);
    assert.equal(owner.seen.at(-1)!.url, "/echo?x=1", "the owner gets the same path and query");
    assert.equal(owner.seen.at(-1)!.headers["x-scalesocket-forwarded"], "test");
    c.ws.close();
    await c.closed;
  });

  test("what the owner sends before the client is upgraded arrives first and in order", async () => {
    const c = connect(node.port, "/greet");
    await c.opened;
    c.ws.send("second");
    await c.count(2);
    assert.deepEqual(c.got.map((r) => r.data), ["welcome", "second"]);
    c.ws.close(1000);
    await c.closed;
  });

  test("the owner's close code and reason reach the client", async () => {
    const c = connect(node.port, "/echo");
    await c.opened;
    c.ws.send("close:4321");
    assert.deepEqual(await c.closed, { code: 4321, reason: "asked" });
  });

  test("an owner that closes before the client is upgraded still delivers, then closes", async () => {
    const c = connect(node.port, "/greet-and-go");
    assert.deepEqual(await c.closed, { code: 4002, reason: "gone" });
    assert.deepEqual(c.got.map((r) => r.data), ["bye now"]);
  });

  test("the client's close code reaches the owner", async () => {
    const c = connect(node.port, "/echo?leaver");
    await c.opened;
    c.ws.close(4100, "leaving");
    await c.closed;
    await waitFor(() => owner.closes.has("/echo?leaver"), "the owner to see the close");
    assert.equal(owner.closes.get("/echo?leaver"), 4100);
  });

  test("a client that vanishes without a close frame vanishes for the owner too", async () => {
    const c = connect(node.port, "/echo?vanish");
    await c.opened;
    c.ws.terminate();
    await waitFor(() => owner.closes.has("/echo?vanish"), "the owner to see the close");
    assert.equal(owner.closes.get("/echo?vanish"), 1006);
  });

  test("the owner's refusal reaches the client as the same status before any upgrade", async () => {
    const c = connect(node.port, "/full");
    const status = await new Promise<number>((resolve) =>
      c.ws.once("unexpected-response", (_req, res) => resolve(res.statusCode!))
    );
    assert.equal(status, 503);
    c.ws.terminate();
  });

  test("the subprotocol the owner picks is the one offered to the client", async () => {
    const c = connect(node.port, "/echo", ["chat"]);
    await c.opened;
    assert.equal(c.ws.protocol, "chat");
    c.ws.close();
    await c.closed;
  });

  test("an owner nobody answers for is reported unreachable", async () => {
    const result = await openUpstream({ advertise: "127.0.0.1:1", url: "/x", headers: {} });
    assert.equal(result.kind, "unreachable", JSON.stringify(result));
  });
});

test("close codes 1005, 1006 and 1015 are never sent in a frame", () => {
  for (const code of [1000, 1001, 1011, 1012, 1013, 3000, 4999]) assert.ok(sendableCode(code));
  for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000]) assert.ok(!sendableCode(code));
});

test("hop-by-hop, handshake and relay headers are not forwarded; the rest keep their order", () => {
  const given: [string, string][] = [
    ["Host", "example.com"],
    ["Connection", "Upgrade"],
    ["Upgrade", "websocket"],
    ["Sec-WebSocket-Key", "abc"],
    ["Sec-WebSocket-Version", "13"],
    ["Cookie", "a=b"],
    ["X-Scalesocket-Signature", "forged"],
    ["x-scalesocket-forwarded", "forged"],
    ["User-Agent", "ua"],
  ];
  assert.deepEqual(forwardableHeaders(given), [
    ["host", "example.com"],
    ["cookie", "a=b"],
    ["user-agent", "ua"],
  ]);
});
