// Drives Debian's Chromium with playwright-core: pages, their uncaught errors, and screenshots.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";
import { ROOT, type Running } from "../e2e/harness.ts";

/** Debian's package (`apt-get install -y chromium`): playwright-core never downloads one. */
const CHROMIUM = "/usr/bin/chromium";
/** Why every browser test skips, or false when they can run. */
export const NO_BROWSER = existsSync(CHROMIUM)
  ? false
  : `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium)`;

const RESULTS = join(ROOT, "test-results", "browser");
// Quiet and offline: no update checks, syncing or first-run pages reaching for the network.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface Browser {
  /** Opens url in a new tab, with short waits: every wait in these tests is for a fact. */
  open(url: string): Promise<Page>;
  /** Uncaught errors of every page so far, as "url: message". */
  errors(): string[];
  /** Saves test-results/browser/NAME.png. */
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile, removed again by close(). */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "scalesocket-chromium-"));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1100, height: 760 },
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const errors: string[] = [];
  return {
    async open(url) {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on("pageerror", (e) => errors.push(`${url}: ${e.message}`));
      await page.goto(url);
      return page;
    },
    errors: () => [...errors],
    async shot(page, name) {
      mkdirSync(RESULTS, { recursive: true });
      await page.screenshot({ path: join(RESULTS, `${name}.png`) });
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Starts Chromium while the server starts; when either fails, the other is shut again. */
export async function startWith(server: Promise<Running>): Promise<[Running, Browser]> {
  const [s, b] = await Promise.allSettled([server, openBrowser()]);
  if (s.status === "fulfilled" && b.status === "fulfilled") return [s.value, b.value];
  if (s.status === "fulfilled") await s.value.stop();
  if (b.status === "fulfilled") await b.value.close();
  throw s.status === "rejected" ? s.reason : (b as PromiseRejectedResult).reason;
}

/**
 * Waits until an element of selector contains text (or matches it, whitespace normalised);
 * fails quoting what they held instead, with a screenshot of the page to look at.
 */
export async function waitForText(
  page: Page,
  selector: string,
  text: string | RegExp,
): Promise<void> {
  const el = page.locator(selector);
  try {
    await el.filter({ hasText: text }).first().waitFor();
  } catch {
    const held = await el.allTextContents().catch(() => ["(page gone)"]);
    const shot = join(RESULTS, `failed-${Date.now()}.png`);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: shot }).catch(() => {});
    const want = typeof text === "string" ? `"${text}"` : String(text);
    throw new Error(
      `${page.url()}: no ${want} in ${selector}, which holds: ${held.join(" | ")} (see ${shot})`,
    );
  }
}
