// The chat example in Chromium with tokens: the page's cookie carries the token, and the chat
// shows the verified names, whatever a page calls itself.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, LAUNCHERS, type Running } from "../e2e/harness.ts";
import { SECRET, token } from "../e2e/groups/auth-util.ts";
import { type Browser, NO_BROWSER, startWith, waitForText } from "./browser.ts";

describe("the chat example with verified names", { skip: NO_BROWSER }, () => {
  let server: Running;
  let browser: Browser;
  before(async () => {
    [server, browser] = await startWith(
      launch(LAUNCHERS.node, [
        "--json",
        "--jwt-cookie",
        "session",
        "--staticdir",
        "examples/chat/public",
        "cat",
      ], { env: { SCALESOCKET_JWT_SECRET: SECRET } }),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens the chat with a session cookie for user, claiming to be `claimed` in the URL. */
  const join = async (user: string, claimed: string) => {
    const page = await browser.open(server.http(`/?room=tea&name=${claimed}`));
    const t = await token({ sub: user });
    await page.evaluate((v) => document.cookie = `session=${v}; path=/`, t);
    await page.reload();
    await waitForText(page, "#log", `you joined as ${user}`);
    return page;
  };

  it("shows each page under the user its token names", async () => {
    const anonymous = await browser.open(server.http("/?room=tea&name=eve"));
    await waitForText(anonymous, "#log", "disconnected");
    assert.ok(!(await anonymous.textContent("#log"))?.includes("joined"), "refused, not joined");
    await anonymous.close();
    const ada = await join("Ada Lovelace", "mallory");
    assert.equal(await ada.inputValue("#name"), "Ada Lovelace", "the name field shows the user");
    const bob = await join("Bob", "root");
    await waitForText(ada, "#log", "Bob joined");
    await bob.fill("#text", "hello");
    await bob.press("#text", "Enter");
    await waitForText(ada, "#log", "Bob: hello");
    const log = await ada.textContent("#log") ?? "";
    assert.ok(!log.includes("root") && !log.includes("mallory"), `claimed names shown: ${log}`);
    await browser.shot(ada, "chat-verified");
    assert.deepEqual(browser.errors(), []);
  });
});
