// The client library as the server serves it: current with src/client/, at its path, first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { appFor } from "./app-harness.ts";
import { FakeFiles } from "./fake-files.ts";
import { FakeRuntime } from "./fakes.ts";
import { CLIENT_JS } from "../../src/server/client-js.ts";

const inDeno = "Deno" in globalThis;

test(
  "the served copy is what src/client/ builds to now",
  // esbuild's service is a Node child process; Node's run of this file checks it for both.
  { skip: inDeno && "esbuild runs under Node only" },
  async () => {
    const { clientSource, servedModule, SERVED_MODULE } = await import("../../scripts/client.ts");
    const fresh = servedModule(await clientSource());
    const committed = readFileSync(new URL(`../../${SERVED_MODULE}`, import.meta.url), "utf8");
    assert.ok(fresh === committed, `${SERVED_MODULE} is stale: run npm run build and commit it`);
  },
);

test("GET /scalesocket/client.mjs serves the client as JavaScript, before --staticdir", async () => {
  const runtime = new FakeRuntime();
  new FakeFiles({
    "/t/www/index.html": "<h1>home</h1>\n",
    "/t/www/scalesocket/client.mjs": "export const shadow = 1;\n",
  }).install(runtime);
  const h = await appFor(["--staticdir", "/t/www", "cat"], runtime);
  try {
    const res = await h.request("/scalesocket/client.mjs");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "(none)", /^text\/javascript/);
    assert.equal(await res.text(), CLIENT_JS, "the server's copy wins over the static file");
    assert.equal((await h.request("/")).status, 200, "other static files are still served");
  } finally {
    h.close();
  }
});

test("the served client exports connect and ScaleSocket", async () => {
  const url = `data:text/javascript;base64,${btoa(CLIENT_JS)}`;
  const mod = await import(url);
  assert.equal(typeof mod.connect, "function");
  assert.equal(typeof mod.ScaleSocket, "function");
});
