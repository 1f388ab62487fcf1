// In process: which websocket requests the app refuses before the upgrade, with which status.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appFor, type AppUnderTest } from "./app-harness.ts";

/** Runs body on the app for argv, then ends the handshakes it accepted. */
async function withApp(argv: string[], body: (h: AppUnderTest) => Promise<void>): Promise<void> {
  const h = await appFor(argv);
  try {
    await body(h);
  } finally {
    h.close();
  }
}

/** Fails unless res is a refusal with this status and body, and nothing was upgraded. */
async function assertRefused(h: AppUnderTest, res: Response, status: number, body: string) {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status} ${body}, got ${res.status} ${text}`);
  assert.equal(text.trim(), body);
  assert.ok(!h.upgraded(res), "a refused handshake was upgraded all the same");
}

describe("the app refuses websocket requests before the upgrade", () => {
  const invalid = [
    "/api",
    "/health",
    "/metrics",
    "/ready",
    "/favicon.ico",
    "/%00x",
    "/a%0Ab",
    "/a%2Fb",
    "/%E0%A4%A",
    `/${"x".repeat(129)}`,
    `/${encodeURIComponent("é".repeat(65))}`,
  ];
  for (const path of invalid) {
    it(`refuses ${path.slice(0, 24)} with 400 Invalid room`, () =>
      withApp(["cat"], async (h) => {
        await assertRefused(h, await h.handshake(path), 400, "Invalid room");
      }));
  }

  it("accepts spaces, punctuation and non-ASCII, decoded once, up to 128 bytes", () =>
    withApp(["cat"], async (h) => {
      for (const name of ["a b!$&'()", "日本語", "x".repeat(128), "%41", "lobby/"]) {
        const res = await h.handshake(`/${encodeURIComponent(name).replace("%2F", "/")}`);
        assert.ok(h.upgraded(res), `room ${name} was refused with ${res.status}`);
      }
    }));

  it("answers 404 for paths longer than one segment; / is the default room", () =>
    withApp(["cat"], async (h) => {
      await assertRefused(h, await h.handshake("/a/b"), 404, "Not found");
      const root = await h.handshake("/");
      assert.ok(h.upgraded(root), `the root path was refused with ${root.status}`);
    }));

  it("--rooms allows only the listed rooms and refuses others with 400 Invalid room", () =>
    withApp(["--rooms", "a,b c", "cat"], async (h) => {
      assert.ok(h.upgraded(await h.handshake("/b%20c")), "listed room b c was refused");
      await assertRefused(h, await h.handshake("/c"), 400, "Invalid room");
      const logged = /websocket refused: Invalid room path=\/c status=400 hint=".*--rooms/;
      assert.ok(
        h.lines.some((line) => logged.test(line)),
        `no log line says --rooms refused /c:\n${h.lines.join("\n")}`,
      );
    }));

  for (const flag of ["--maxrooms", "--maxforks"]) {
    it(`${flag} 1 refuses a second room with 429 while the first is held`, () =>
      withApp([flag, "1", "cat"], async (h) => {
        assert.ok(h.upgraded(await h.handshake("/one")), "the first room was refused");
        assert.ok(h.upgraded(await h.handshake("/one")), "a second client of room one");
        await assertRefused(h, await h.handshake("/two"), 429, "Too many rooms");
        // Both handshakes of room one end before opening: the room ends and frees its slot.
        h.close();
        assert.ok(h.upgraded(await h.handshake("/two")), "room two after room one ended");
      }));
  }

  it("--maxforks with --perconnection refuses the connection past the limit with 429", () =>
    withApp(["--perconnection", "--maxforks", "1", "cat"], async (h) => {
      assert.ok(h.upgraded(await h.handshake("/same")), "the first connection was refused");
      await assertRefused(h, await h.handshake("/same"), 429, "Too many rooms");
    }));

  it("--oneshot refuses every handshake after the first with 429", () =>
    withApp(["--oneshot", "cat"], async (h) => {
      assert.ok(h.upgraded(await h.handshake("/solo")), "the first client was refused");
      await assertRefused(h, await h.handshake("/solo"), 429, "Already serving a client");
      await assertRefused(h, await h.handshake("/other"), 429, "Already serving a client");
    }));

  it("--tcp with no free port refuses a new room with 503", async () => {
    const h = await appFor(["--tcp", "20000:20001", "cat"]);
    h.runtime.portFree = () => Promise.resolve(false);
    try {
      await assertRefused(h, await h.handshake("/r"), 503, "No free port for --tcp");
    } finally {
      h.close();
    }
  });

  it("refuses every handshake with 503 once shutdown began, and /ready says draining", () =>
    withApp(["cat"], async (h) => {
      h.drain();
      await assertRefused(h, await h.handshake("/lobby"), 503, "Server is shutting down");
      const ready = await h.request("/ready");
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: "draining" });
      assert.equal((await h.request("/health")).status, 200, "/health while draining");
    }));
});

describe("the app checks the websocket handshake itself", () => {
  const bad: [string, Record<string, string | null>][] = [
    ["no Sec-WebSocket-Key", { "sec-websocket-key": null }],
    ["a Sec-WebSocket-Key that is not base64", { "sec-websocket-key": "abc" }],
    ["Sec-WebSocket-Version 7", { "sec-websocket-version": "7" }],
    ["no Sec-WebSocket-Version", { "sec-websocket-version": null }],
    ["Upgrade: websocket without Connection: Upgrade", { connection: null }],
    ["Connection: keep-alive only", { connection: "keep-alive" }],
  ];
  for (const [name, headers] of bad) {
    it(`answers a handshake with ${name} with 400`, () =>
      withApp(["cat"], async (h) => {
        await assertRefused(h, await h.handshake("/hs", headers), 400, "Bad websocket handshake");
      }));
  }

  it("accepts Connection: keep-alive, Upgrade and an upgrade header in any case", () =>
    withApp(["cat"], async (h) => {
      const res = await h.handshake("/hs", {
        connection: "keep-alive, Upgrade",
        upgrade: "WebSocket",
      });
      assert.ok(h.upgraded(res), `refused with ${res.status}`);
    }));

  for (const method of ["POST", "PUT", "DELETE"]) {
    it(`refuses a websocket offer by ${method} with 405 and Allow: GET`, () =>
      withApp(["cat"], async (h) => {
        const res = await h.handshake("/hs", {}, method);
        assert.equal(res.headers.get("allow"), "GET");
        await assertRefused(h, res, 405, "Websocket handshakes use GET");
      }));
  }

  it("answers a POST without upgrade headers as plain HTTP: 404, not 405", () =>
    withApp(["cat"], async (h) => {
      const res = await h.request("/hs", { method: "POST", body: "x" });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("allow"), null);
    }));
});
