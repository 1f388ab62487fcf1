// S2 and S11 against a hostile client: nothing outside --staticdir is served and nothing
// outside --dir is run, whatever the encoding or the symlink. test/e2e/groups/static.ts and
// websocketd*.ts hold the plain cases; these are the rest.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, type Launcher, PY, type Running } from "../../e2e/harness.ts";
import { refusal } from "../../e2e/client.ts";
import { RawConn } from "../raw.ts";
import { stopWithin, within } from "../common.ts";

const SECRET = "secret-never-served";

/** Status and body of one request sent exactly as written. */
async function get(port: number, target: string, method = "GET") {
  const c = await RawConn.open(port);
  c.write(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  try {
    const head = await c.response(5_000);
    return { status: head.status, body: await c.body(5_000) };
  } finally {
    c.destroy();
  }
}
export function pathTests(l: Launcher): void {
  describe("paths out of the served directories", () => {
    describe("--staticdir against traversal", () => {
      let top: string;
      let s: Running;
      before(async () => {
        top = mkdtempSync(join(tmpdir(), "scalesocket-hostile-"));
        const dir = join(top, "www");
        mkdirSync(join(dir, "sub"), { recursive: true });
        writeFileSync(join(top, "secret.txt"), SECRET);
        writeFileSync(join(dir, "index.html"), "home");
        writeFileSync(join(dir, "style.css"), "h1 {}");
        symlinkSync("chain2", join(dir, "chain1")); // a chain that ends outside
        symlinkSync("../secret.txt", join(dir, "chain2"));
        symlinkSync("/etc/passwd", join(dir, "passwd")); // absolute, outside
        symlinkSync("loop2", join(dir, "loop1")); // a loop: ELOOP, not a hang
        symlinkSync("loop1", join(dir, "loop2"));
        symlinkSync("style.css", join(dir, "alias.css")); // inside: served
        symlinkSync(top, join(dir, "updir")); // out and back in: only what lands inside
        s = await launch(l, ["--staticdir", dir, ...PY, "echo"]);
      });
      after(async () => {
        await stopWithin(s);
        if (top) rmSync(top, { recursive: true, force: true });
      });

      const escapes = (top: string, port: number) => [
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/%c0%ae%c0%ae/secret.txt", // overlong UTF-8 dots
        "/%ef%bc%8e%ef%bc%8e/secret.txt", // full-width dots (NFKC would make them "..")
        "/%25%32%65%25%32%65/secret.txt", // "%2e%2e" once decoded
        "/%25252e%25252e/secret.txt", // triple-encoded
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..\\secret.txt",
        "/sub\\..\\..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/%2e%2e%5csecret.txt",
        "/..%c0%af..%c0%afsecret.txt",
        `/${join(top, "secret.txt")}`, // the absolute path, as a path
        `//${join(top, "secret.txt").slice(1)}`,
        `/%2f${join(top, "secret.txt").slice(1)}`,
        "/index.html%00../../secret.txt",
        "/%00/../secret.txt",
        `http://127.0.0.1:${port}/../secret.txt`, // absolute-form request target
        "/./../secret.txt",
        "/sub/..;/..;/secret.txt",
        "/%u002e%u002e/secret.txt",
        "/...//secret.txt",
        "/....//....//secret.txt",
        "/sub/../../../../../../etc/passwd",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/chain1",
        "/passwd",
        "/updir/secret.txt",
        "/loop1",
      ];

      it("serves nothing outside the directory for 30 more encodings and symlinks", async () => {
        for (const target of escapes(top, s.port)) {
          for (const method of ["GET", "HEAD"]) {
            const r = await get(s.port, target, method);
            assert.ok(r.status === 400 || r.status === 404, `${method} ${target}: ${r.status}`);
            assert.ok(!r.body.includes(SECRET), `${method} ${target} served the secret`);
            assert.ok(!r.body.includes("root:"), `${method} ${target} served /etc/passwd`);
          }
        }
      });

      it("serves a symlink that stays inside, and a path out and back in", async () => {
        assert.equal((await get(s.port, "/alias.css")).body, "h1 {}");
        assert.equal((await get(s.port, "/updir/www/index.html")).body, "home");
      });
    });

    describe("--staticdir with a FIFO in it", () => {
      let top: string;
      let s: Running;
      before(async () => {
        top = mkdtempSync(join(tmpdir(), "scalesocket-hostile-fifo-"));
        execFileSync("mkfifo", [join(top, "fifo")]);
        s = await launch(l, ["--staticdir", top, ...PY, "echo"]);
      });
      after(async () => {
        // Bounded: on Deno the hung request below also kept SIGTERM's shutdown from ending.
        await stopWithin(s, 3_000);
        if (top) rmSync(top, { recursive: true, force: true });
      });

      it("answers GET of the FIFO with 404 instead of hanging", async () => {
        // Was a BUG (Deno, in the former Deno.Command runtime, see docs/decisions.md): GET /fifo never answered, and the
        // server then never finished shutting down on SIGTERM (Deno.serve's shutdown waits for
        // the request). openFile called Deno.open before checking that the path is a file, and
        // opening a FIFO for reading blocks until a writer comes: each such request held a
        // connection and a blocking-pool thread for good.
        const r = await within(get(s.port, "/fifo"), "an answer for GET /fifo", 3_000);
        assert.equal(r.status, 404);
      });
    });

    describe("--dir against traversal", () => {
      let top: string;
      let s: Running;
      before(async () => {
        top = mkdtempSync(join(tmpdir(), "scalesocket-hostile-dir-"));
        const dir = join(top, "bin");
        mkdirSync(dir);
        symlinkSync("/bin/sh", join(dir, "sh")); // a real program, but outside
        writeFileSync(join(top, "escape"), "#!/bin/sh\necho escaped\n", { mode: 0o755 });
        s = await launch(l, ["--dir", dir]);
      });
      after(async () => {
        await stopWithin(s);
        if (top) rmSync(top, { recursive: true, force: true });
      });

      for (
        const path of [
          "/sh/r",
          "/%2fbin%2fsh/r",
          "/..%5cescape/r",
          "/%252e%252e%252fescape/r",
          "/%2e%2e%2fescape/r",
          "/%00sh/r",
          "/.%2e/r",
        ]
      ) {
        it(`runs nothing for ${path}: 404`, async () => {
          assert.equal((await refusal(s.ws(path))).status, 404);
        });
      }
    });
  });
}
