// In process: --staticdir serves files, index pages, MIME types and HEAD, and nothing outside.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { appFor, type AppUnderTest } from "./app-harness.ts";
import { FakeFiles } from "./fake-files.ts";
import { FakeRuntime } from "./fakes.ts";

const SECRET = "top secret: never served";

/** The app for argv, on a runtime whose files are a small site beside a secret. */
function siteApp(argv: string[]): Promise<AppUnderTest> {
  const runtime = new FakeRuntime();
  new FakeFiles({
    "/t/secret.txt": SECRET,
    "/t/www/index.html": "<h1>home</h1>\n",
    "/t/www/sub/index.html": "<h1>sub</h1>\n",
    "/t/www/style.css": "h1 { color: red }\n",
    "/t/www/app.js": "console.log('app');\n",
    "/t/www/data.json": '{"a":1}\n',
    "/t/www/leak.txt": { link: "/t/secret.txt" },
    "/t/www/up": { link: ".." },
    "/t/www/alias.css": { link: "style.css" },
    "/t/www/loop1": { link: "loop2" },
    "/t/www/loop2": { link: "loop1" },
  }).install(runtime);
  return appFor(argv, runtime);
}

describe("--staticdir", () => {
  let h: AppUnderTest;
  before(async () => h = await siteApp(["--staticdir", "/t/www", "cat"]));
  after(() => h.close());

  it("serves index.html for / as text/html", async () => {
    const res = await h.request("/");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "(none)", /^text\/html/);
    assert.equal(await res.text(), "<h1>home</h1>\n");
  });

  it("serves a subdirectory's index.html for its path", async () => {
    const res = await h.request("/sub/");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "<h1>sub</h1>\n");
  });

  for (
    const [file, type, content] of [
      ["style.css", /^text\/css/, "h1 { color: red }\n"],
      ["app.js", /^(text|application)\/javascript/, "console.log('app');\n"],
      ["data.json", /^application\/json/, '{"a":1}\n'],
    ] as const
  ) {
    it(`serves ${file} with a content type matching ${type}`, async () => {
      const res = await h.request(`/${file}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "(none)", type);
      assert.equal(await res.text(), content);
    });
  }

  it("answers HEAD with the headers of GET and no body", async () => {
    const res = await h.request("/style.css", { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "(none)", /^text\/css/);
    assert.equal(res.headers.get("content-length"), String("h1 { color: red }\n".length));
    const body = await res.text();
    assert.equal(body.length, 0, `HEAD sent a body: ${JSON.stringify(body)}`);
  });

  it("answers 404 for a file that does not exist", async () => {
    assert.equal((await h.request("/missing.txt")).status, 404);
  });

  for (const path of ["/leak.txt", "/up/secret.txt", "/loop1"]) {
    it(`never serves what a symlink points to outside the directory: ${path}`, async () => {
      const res = await h.request(path);
      const body = await res.text();
      assert.ok(res.status === 400 || res.status === 404, `${path} answered ${res.status}`);
      assert.ok(!body.includes(SECRET), `${path} served the secret file`);
    });
  }

  it("serves a symlink that stays inside, and a path out and back in", async () => {
    assert.equal(await (await h.request("/alias.css")).text(), "h1 { color: red }\n");
    assert.equal(await (await h.request("/up/www/index.html")).text(), "<h1>home</h1>\n");
  });

  it("still opens websockets to rooms", async () => {
    const res = await h.handshake("/lobby");
    assert.ok(h.upgraded(res), `the handshake got ${res.status}`);
  });
});

describe("--staticdir with --api", () => {
  it("GET / serves the static index instead of the lobby page", async () => {
    const h = await siteApp(["--api", "--staticdir", "/t/www", "cat"]);
    const res = await h.request("/");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "<h1>home</h1>\n");
  });
});

describe("a --staticdir that cannot be served", () => {
  for (
    const [dir, why] of [["/t/none", "directory not found"], ["/t/secret.txt", "not a directory"]]
  ) {
    it(`stops the server from starting: ${why}`, async () => {
      await assert.rejects(siteApp(["--staticdir", dir, "cat"]), {
        message: `Cannot serve "${dir}": ${why}`,
      });
    });
  }
});
