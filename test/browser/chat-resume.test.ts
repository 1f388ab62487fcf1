// The chat example in Chromium with its connection cut: with --resume a tab misses nothing.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launch, LAUNCHERS, type Running } from "../e2e/harness.ts";
import { type Browser, NO_BROWSER, startWith, waitForText } from "./browser.ts";
import { type Cutter, cutter } from "./cut.ts";

const CHAT = ["--json", "--staticdir", "examples/chat/public"];

describe("the chat example in a browser whose connection is cut", { skip: NO_BROWSER }, () => {
  let kept: Running;
  let brief: Running;
  let plain: Running;
  let browser: Browser;
  const proxies: Cutter[] = [];
  before(async () => {
    [kept, browser] = await startWith(launch(LAUNCHERS.node, [...CHAT, "--resume", "60", "cat"]));
    brief = await launch(LAUNCHERS.node, [...CHAT, "--resume", "1", "cat"]);
    plain = await launch(LAUNCHERS.node, [...CHAT, "cat"]);
  });
  after(async () => {
    await browser?.close();
    for (const proxy of proxies) await proxy.close();
    await kept?.stop();
    await brief?.stop();
    await plain?.stop();
  });

  /** Opens the chat as name, through url's server (or a proxy to it). */
  const join = async (origin: string, name: string) => {
    const page = await browser.open(`${origin}/?room=tea&name=${name}`);
    await waitForText(page, "#log", `you joined as ${name}`);
    return page;
  };
  const say = async (page: Page, text: string) => {
    await page.fill("#text", text);
    await page.press("#text", "Enter");
  };
  /** ada on the server directly, bob through a proxy the test cuts. */
  const pair = async (server: Running) => {
    const proxy = await cutter(server.port);
    proxies.push(proxy);
    const ada = await join(server.http("").replace(/\/$/, ""), "ada");
    const bob = await join(`http://127.0.0.1:${proxy.port}`, "bob");
    await waitForText(ada, "#log", "bob joined");
    return { proxy, ada, bob };
  };

  it("a tab cut off while others talk comes back with every message, once and in order", async () => {
    const { proxy, ada, bob } = await pair(kept);
    proxy.block(true);
    proxy.cut();
    await waitForText(bob, "#log", "disconnected (1006)");
    const said = Array.from({ length: 20 }, (_, i) => `while away ${i + 1}`);
    for (const text of said) await say(ada, text);
    await waitForText(ada, "#log", `you: ${said.at(-1)}`);
    proxy.block(false);
    await waitForText(bob, "#log", /back, with the \d+ messages missed/);
    await waitForText(bob, "#log", `ada: ${said.at(-1)}`);
    const lines = await bob.locator("#log p").allTextContents();
    const heard = lines.filter((l) => l.startsWith("ada: while away"));
    assert.deepEqual(heard, said.map((t) => `ada: ${t}`), "bob heard every message once, in order");
    assert.ok(!lines.some((l) => l.startsWith("rejoined")), `bob rejoined: ${lines.join(" | ")}`);
    await say(bob, "I am back");
    await waitForText(ada, "#log", "bob: I am back");
    const adaLog = await ada.textContent("#log") ?? "";
    assert.ok(!adaLog.includes("bob left"), `ada saw bob leave: ${adaLog}`);
    await browser.shot(bob, "chat-resumed");
    assert.deepEqual(browser.errors(), []);
  });

  it("a tab away longer than the window rejoins afresh and says what it missed", async () => {
    const { proxy, ada, bob } = await pair(brief);
    proxy.block(true);
    proxy.cut();
    // The window of a second ends bob's membership: ada sees the leave the program saw.
    await waitForText(ada, "#log", "bob left");
    await say(ada, "you missed this");
    await waitForText(ada, "#log", "you: you missed this");
    proxy.block(false);
    await waitForText(bob, "#log", /rejoined afresh \((resume refused|missed output.*)\)/);
    await waitForText(ada, "#log", /bob joined[\s\S]*bob joined/);
    const bobLog = await bob.textContent("#log") ?? "";
    assert.ok(!bobLog.includes("you missed this"), "a fresh membership gets no old messages");
    await browser.shot(bob, "chat-rejoined");
    assert.deepEqual(browser.errors(), []);
  });

  it("without --resume a cut tab reconnects as a new member and says it missed what was said", async () => {
    const { proxy, ada, bob } = await pair(plain);
    proxy.cut();
    // No window: the drop is a leave at once, and bob comes back as soon as he can.
    await waitForText(ada, "#log", "bob left");
    await waitForText(bob, "#log", "rejoined afresh (the server keeps no dropped membership)");
    await waitForText(ada, "#log", /bob joined[\s\S]*bob joined/);
    await say(bob, "hello again");
    await waitForText(ada, "#log", "bob: hello again");
    assert.deepEqual(browser.errors(), []);
  });
});
