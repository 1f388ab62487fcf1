// `deno run -A http://…/scalesocket.mjs`: the bundle loaded from a URL, served by this test.
import assert from "node:assert/strict";
import { createReadStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { launch, type Launcher, PY, ROOT, runCli, stopAll } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { BUNDLE, DIST } from "./artifacts.ts";

const DENO = `${ROOT}node_modules/.bin/deno`;

/** Paths requested from serveDist, so a test can tell the bundle did come over http. */
const requested: string[] = [];

/** Serves dist/'s top-level files on 127.0.0.1, on a free port. */
function serveDist(): Promise<Server> {
  const server = createServer((req, res) => {
    requested.push(req.url!);
    const file = join(DIST, basename(decodeURIComponent(new URL(req.url!, "http://x").pathname)));
    if (!existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/javascript" });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

const skip = existsSync(BUNDLE) ? undefined : `${BUNDLE} does not exist: run "npm run build"`;
describe("the bundle run by deno from an http URL", { skip }, () => {
  let server: Server;
  let l: Launcher;
  // A private cache, so every run fetches the bundle again instead of reusing an old one.
  const denoDir = mkdtempSync(join(tmpdir(), "scalesocket-deno-dir-"));
  const env = { DENO_DIR: denoDir };

  before(async () => {
    server = await serveDist();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scalesocket.mjs`;
    l = { name: "deno from a URL", command: [DENO, "run", "-A", "--reload", url] };
  });
  after(async () => {
    await stopAll();
    server.close();
    rmSync(denoDir, { recursive: true, force: true });
  });

  it("prints its version", async () => {
    const r = await runCli(l, ["--version"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^scalesocket \d+\.\d+\.\d+/);
    assert.ok(requested.includes("/scalesocket.mjs"), `requests: ${requested.join(", ")}`);
  });

  it("serves a room", async () => {
    const s = await launch(l, [...PY, "echo"], { env });
    const a = await Client.open(s.ws("/lobby"));
    a.ws.send("over the wire");
    assert.equal((await a.next("the echo")).data, "over the wire");
    assert.equal((await s.stop("SIGTERM")).code, 0, s.stderr());
  });
});
