// The multiplayer example (examples/multiplayer) in Chromium: one player's moves on another's page.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { launch, LAUNCHERS, PYTHON, type Running } from "../e2e/harness.ts";
import { type Browser, NO_BROWSER, startWith, waitForText } from "./browser.ts";

describe("the multiplayer example in a browser", { skip: NO_BROWSER }, () => {
  let server: Running;
  let browser: Browser;
  before(async () => {
    const game = ["--json", "--staticdir", "examples/multiplayer/public"];
    [server, browser] = await startWith(
      launch(LAUNCHERS.node, [...game, PYTHON, "examples/multiplayer/game.py"]),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens the game in room; returns the page and the player id its welcome gave it. */
  const play = async (room: string) => {
    const page = await browser.open(server.http(`/?room=${room}`));
    await page.waitForSelector("body[data-you]");
    return { page, id: Number(await page.getAttribute("body", "data-you")) };
  };
  /** Where page's list says player id stands. */
  const position = async (page: Page, id: number) => {
    const text = await page.textContent(`#players li[data-id="${id}"]`) ?? "";
    const m = text.match(/at (\d+), (\d+)/);
    assert.ok(m, `no position for player ${id} in "${text}"`);
    return { x: Number(m[1]), y: Number(m[2]) };
  };

  it("a player's arrow keys and clicks move its dot on the other player's page", async () => {
    const red = await play("duel");
    const blue = await play("duel");
    await red.page.waitForSelector(`#players li[data-id="${blue.id}"]`);
    await waitForText(blue.page, `#players li[data-id="${red.id}"]`, `#${red.id} at`);

    const start = await position(red.page, blue.id);
    assert.deepEqual(await position(blue.page, blue.id), start);
    // The page listens on the window, as a game does: no field needs the focus first.
    await blue.page.keyboard.press(start.x < 320 ? "ArrowRight" : "ArrowLeft");
    const stepped = start.x < 320 ? start.x + 16 : start.x - 16;
    await waitForText(red.page, `#players li[data-id="${blue.id}"]`, `at ${stepped}, ${start.y}`);

    await blue.page.click("#board", { position: { x: 120, y: 80 } });
    await waitForText(red.page, `#players li[data-id="${blue.id}"]`, "at 120, 80");
    await waitForText(blue.page, `#players li[data-id="${blue.id}"]`, "(you) at 120, 80");
    await browser.shot(red.page, "multiplayer");

    await blue.page.close();
    await red.page.waitForSelector(`#players li[data-id="${blue.id}"]`, { state: "detached" });
    assert.deepEqual(browser.errors(), []);
  });
});
