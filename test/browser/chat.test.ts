// The chat example (examples/chat) in Chromium: rooms keep their conversations apart.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launch, LAUNCHERS, type Running } from "../e2e/harness.ts";
import { type Browser, NO_BROWSER, startWith, waitForText } from "./browser.ts";

describe("the chat example in a browser", { skip: NO_BROWSER }, () => {
  let server: Running;
  let browser: Browser;
  before(async () => {
    [server, browser] = await startWith(
      launch(LAUNCHERS.node, ["--json", "--staticdir", "examples/chat/public", "cat"]),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens the chat as name in room, once the page knows which of the joins was its own. */
  const join = async (room: string, name: string) => {
    const page = await browser.open(server.http(`/?room=${room}&name=${name}`));
    await waitForText(page, "#log", `you joined as ${name}`);
    return page;
  };
  const say = async (page: Page, text: string) => {
    await page.fill("#text", text);
    await page.press("#text", "Enter");
  };

  it("two pages of a room see each other come, talk and go; another room sees none of it", async () => {
    const ada = await join("tea", "ada");
    const bob = await join("tea", "bob");
    const eve = await join("coffee", "eve");
    await waitForText(ada, "#log", "bob joined");
    // bob learns who was there before him from ada's answer to his hello.
    await waitForText(bob, "#here", "ada");

    await say(ada, "hello bob");
    await waitForText(bob, "#log", "ada: hello bob");
    await waitForText(ada, "#log", "you: hello bob");
    await say(bob, "hi ada");
    await waitForText(ada, "#log", "bob: hi ada");

    // eve's own message coming back shows her room works; nothing of tea's reached it.
    await say(eve, "anyone here?");
    await waitForText(eve, "#log", "you: anyone here?");
    const eveLog = await eve.textContent("#log") ?? "";
    for (const text of ["hello bob", "hi ada", "ada", "bob"]) {
      assert.ok(!eveLog.includes(text), `the coffee room saw "${text}": ${eveLog}`);
    }
    assert.equal(await eve.textContent("#here"), "you (eve)");
    await browser.shot(bob, "chat-bob");
    await browser.shot(eve, "chat-other-room");

    await bob.close();
    await waitForText(ada, "#log", "bob left");
    assert.equal(await ada.textContent("#here"), "you (ada)");
    assert.ok(!(await ada.textContent("#log"))?.includes("anyone here?"));
    await browser.shot(ada, "chat-ada");
    assert.deepEqual(browser.errors(), []);
  });
});
