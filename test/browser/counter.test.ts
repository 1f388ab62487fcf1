// The counter example (examples/counter) in Chromium: a Node backend shared by a room's pages.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { launch, LAUNCHERS, type Running } from "../e2e/harness.ts";
import { type Browser, NO_BROWSER, startWith, waitForText } from "./browser.ts";

describe("the counter example in a browser", { skip: NO_BROWSER }, () => {
  let server: Running;
  let browser: Browser;
  before(async () => {
    const args = ["--json", "--staticdir", "examples/counter/public"];
    [server, browser] = await startWith(
      launch(LAUNCHERS.node, [...args, process.execPath, "examples/counter/counter.mjs"]),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("clicks on one page count on every page of the room, and only there", async () => {
    const one = await browser.open(server.http("/?room=votes"));
    const two = await browser.open(server.http("/?room=votes"));
    await waitForText(one, "#online", /^2$/);
    await waitForText(two, "#count", /^0$/);
    for (let i = 0; i < 3; i++) await one.click("#plus");
    await waitForText(two, "#count", /^3$/);
    await two.click("#minus");
    await waitForText(one, "#count", /^2$/);

    const elsewhere = await browser.open(server.http("/?room=other"));
    await waitForText(elsewhere, "#online", /^1$/);
    assert.equal(await elsewhere.textContent("#count"), "0");
    await browser.shot(one, "counter");
    assert.deepEqual(browser.errors(), []);
  });
});
