// In process: the plain HTTP routes (health, readiness, 404s) and the --header* flags.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { appFor } from "./app-harness.ts";

describe("plain HTTP routes", () => {
  it('answers GET /health with 200 {"status":"ok"} as JSON', async () => {
    const res = await (await appFor(["cat"])).request("/health");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "(none)", /^application\/json/);
    assert.deepEqual(await res.json(), { status: "ok" });
  });

  it('answers GET /ready with 200 {"status":"ready"} while serving', async () => {
    const res = await (await appFor(["cat"])).request("/ready");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: "ready" });
  });

  it("answers a plain GET of a room path with 404 without --staticdir", async () => {
    const h = await appFor(["cat"]);
    for (const path of ["/lobby", "/lobby/", "/a/b"]) {
      const res = await h.request(path);
      assert.equal(res.status, 404, path);
      assert.equal(await res.text(), "Not found\n", path);
    }
  });

  it("answers /api/rooms, /api/<room>, / and /metrics with 404 without --api or --metrics", async () => {
    const h = await appFor(["cat"]);
    for (const path of ["/api/rooms", "/api/lobby", "/", "/metrics"]) {
      assert.equal((await h.request(path)).status, 404, path);
    }
  });

  it("answers GET / with the lobby page when --api is given", async () => {
    const res = await (await appFor(["--api", "cat"])).request("/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "(none)", /^text\/html/);
    assert.match(await res.text(), /\/api\/rooms/, "the lobby page does not fetch /api/rooms");
  });
});

describe("response headers", () => {
  const argv = ["--header", "X-All: a", "--header-ws", "X-Ws: w", "--header-http", "X-Http: h"];

  it("--header and --header-http are on plain HTTP answers, --header-ws is not", async () => {
    const h = await appFor([...argv, "cat"]);
    for (const path of ["/health", "/nowhere"]) {
      const res = await h.request(path);
      assert.equal(res.headers.get("x-all"), "a", path);
      assert.equal(res.headers.get("x-http"), "h", path);
      assert.equal(res.headers.get("x-ws"), null, path);
    }
  });

  it("--header and --header-ws are on the websocket upgrade, --header-http is not", async () => {
    const h = await appFor([...argv, "cat"]);
    try {
      const res = await h.handshake("/h");
      assert.ok(h.upgraded(res), `the handshake got ${res.status}`);
      assert.equal(res.headers.get("x-all"), "a");
      assert.equal(res.headers.get("x-ws"), "w");
      assert.equal(res.headers.get("x-http"), null);
    } finally {
      h.close();
    }
  });

  it("--header-ws is on a refused handshake too, and --header-http is not", async () => {
    const res = await (await appFor([...argv, "cat"])).handshake("/a/b");
    assert.equal(res.status, 404);
    assert.equal(res.headers.get("x-all"), "a");
    assert.equal(res.headers.get("x-ws"), "w");
    assert.equal(res.headers.get("x-http"), null);
  });

  it("a --header given twice adds both values", async () => {
    const h = await appFor(["--header", "X-Twice: 1", "--header", "X-Twice: 2", "cat"]);
    assert.equal((await h.request("/health")).headers.get("x-twice"), "1, 2");
  });
});
