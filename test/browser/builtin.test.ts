// The server's own pages in Chromium: the lobby (--api) and websocketd's console (--devconsole).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { launch, LAUNCHERS, PYTHON, type Running } from "../e2e/harness.ts";
import { Client } from "../e2e/client.ts";
import { type Browser, NO_BROWSER, openBrowser, waitForText } from "./browser.ts";

describe("the built-in pages in a browser", { skip: NO_BROWSER }, () => {
  let browser: Browser;
  before(async () => browser = await openBrowser());
  after(() => browser?.close());

  describe("the lobby page (--api)", () => {
    let server: Running;
    const clients: Client[] = [];
    before(async () => {
      server = await launch(LAUNCHERS.node, [
        "--api",
        "--json",
        PYTHON,
        "examples/multiplayer/game.py",
      ]);
    });
    after(async () => {
      await Promise.all(clients.map((c) => c.close()));
      await server?.stop();
    });
    /** A player in room, once the game has welcomed it (and so told the lobby its metadata). */
    const player = async (room: string) => {
      const c = await Client.open(server.ws(`/${room}`));
      clients.push(c);
      assert.match(await c.text("the welcome"), /"t":"Welcome"/);
      return c;
    };

    it("lists the live rooms with their connections and metadata, and opens one", async () => {
      await player("alpha");
      await player("alpha");
      await player("beta");
      const page = await browser.open(server.http("/"));
      await waitForText(page, 'tr[data-room="alpha"]', '{"players":2}');
      await waitForText(page, 'tr[data-room="beta"]', '{"players":1}');
      assert.equal(await page.textContent('tr[data-room="alpha"] td:nth-child(2)'), "2");

      // Its console joins a room of its own: the game welcomes it, and the list shows it.
      await page.fill("#name", "gamma");
      await page.click("#new button");
      await waitForText(page, "#log", '"t":"Welcome"');
      await waitForText(page, 'tr[data-room="gamma"]', '{"players":1}');
      await browser.shot(page, "lobby");
      assert.deepEqual(browser.errors(), []);
    });
  });

  describe("the developer console (--devconsole)", () => {
    let server: Running;
    before(async () => server = await launch(LAUNCHERS.node, ["--devconsole", "cat"]));
    after(() => server?.stop());

    it("opens the socket of its own path and shows what the room echoes", async () => {
      const page = await browser.open(server.http("/echoes?x=1"));
      assert.equal(await page.inputValue("#url"), server.ws("/echoes?x=1"));
      await page.click("#open");
      await waitForText(page, "#log", "open");
      await page.fill("#msg", "ping from the console");
      await page.press("#msg", "Enter");
      await waitForText(page, "#log", "< ping from the console");
      await waitForText(page, "#log", "> ping from the console");

      // A second console in the same room hears the first: both share one cat.
      const other = await browser.open(server.http("/echoes"));
      await other.click("#open");
      await waitForText(other, "#log", "open");
      await page.fill("#msg", "second line");
      await page.press("#msg", "Enter");
      await waitForText(other, "#log", "< second line");
      await page.click("#close");
      await waitForText(page, "#log", "closed 1005");
      await browser.shot(other, "devconsole");
      assert.deepEqual(browser.errors(), []);
    });
  });
});
