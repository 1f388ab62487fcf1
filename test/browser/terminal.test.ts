// The terminal example (examples/terminal) in Chromium: two pages type into one shell.
import { after, before, describe, it } from "node:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import process from "node:process";
import { launch, LAUNCHERS, PYTHON, ROOT, type Running } from "../e2e/harness.ts";
import { type Browser, NO_BROWSER, startWith, waitForText } from "./browser.ts";

const EXAMPLE = "examples/terminal";
const VENDORED = join(ROOT, EXAMPLE, "public/vendor/xterm.mjs");
// xterm.js is a devDependency of the repository for this test: copy it in as the example's
// own install would (a file copy, no network).
if (!existsSync(VENDORED) && existsSync(join(ROOT, "node_modules/@xterm/xterm"))) {
  execFileSync(process.execPath, [join(ROOT, EXAMPLE, "vendor.mjs")], { stdio: "ignore" });
}
const NO_XTERM = existsSync(VENDORED)
  ? false
  : `xterm.js is not in ${EXAMPLE}/public/vendor/: run npm --prefix ${EXAMPLE} ci`;

describe("the terminal example in a browser", { skip: NO_BROWSER || NO_XTERM }, () => {
  let server: Running;
  let browser: Browser;
  before(async () => {
    const args = ["--binary", "--cache=1000", "--staticdir", `${EXAMPLE}/public`];
    [server, browser] = await startWith(
      launch(LAUNCHERS.node, [...args, PYTHON, `${EXAMPLE}/shell.py`]),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("what one page types runs in the room's shell, and the other page sees it", async () => {
    const typist = await browser.open(server.http("/?room=pair"));
    await waitForText(typist, "#status", /^connected$/);
    const watcher = await browser.open(server.http("/?room=pair"));
    await waitForText(watcher, "#status", /^connected$/);
    // Typing before bash has drawn its prompt would work, but show the line twice.
    await waitForText(typist, ".xterm-rows", /[$#] *$/);
    await typist.click("#term");
    await typist.keyboard.type("echo shared-$((6*7))");
    await typist.keyboard.press("Enter");
    // The pty echoes the typing to both pages; only bash's arithmetic makes the 42.
    await waitForText(watcher, ".xterm-rows", "echo shared-$((6*7))");
    await waitForText(watcher, ".xterm-rows", "shared-42");
    await waitForText(typist, ".xterm-rows", "shared-42");

    // A page that comes later gets the screen so far from --cache.
    const late = await browser.open(server.http("/?room=pair"));
    await waitForText(late, ".xterm-rows", "shared-42");
    await browser.shot(watcher, "terminal");
    const errors = browser.errors();
    if (errors.length > 0) throw new Error(`page errors: ${errors.join("; ")}`);
  });
});
