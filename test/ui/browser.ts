/**
 * The browser of the UI journeys: Debian's Chromium through playwright-core, with the flags the issue
 * fixes, a new empty profile, and a watch on every request each page makes (the journeys assert that
 * none leaves the origin and none carries a credential in its URL). Screenshots are written into the
 * repo only when SLUICE_UI_SCREENSHOTS names a folder (e.g. docs/ui), so `npm test` leaves git clean.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface StudioBrowser {
  /**
   * A new context (own sessionStorage) and page; every request URL it makes is appended to `requests`,
   * and every page error or Content-Security-Policy violation the console reports to `problems`.
   */
  page(): Promise<{ page: Page; context: BrowserContext; requests: string[]; problems: string[] }>;
  /** Saves a screenshot as <name>.png when SLUICE_UI_SCREENSHOTS is set. */
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function launchStudioBrowser(): Promise<StudioBrowser> {
  // launch() gives Chromium a new empty --user-data-dir of its own (a temp dir it removes on close).
  const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  const contexts: BrowserContext[] = [];
  const shots = process.env['SLUICE_UI_SCREENSHOTS'];
  if (shots !== undefined && shots !== '') mkdirSync(resolve(shots), { recursive: true });
  return {
    async page() {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        acceptDownloads: true,
      });
      contexts.push(context);
      const requests: string[] = [];
      context.on('request', (request) => requests.push(request.url()));
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content.Security.Policy|Refused to/i.test(message.text()))
          problems.push(`console: ${message.text()}`);
      });
      page.setDefaultTimeout(15_000);
      return { page, context, requests, problems };
    },
    async screenshot(page, name) {
      if (shots === undefined || shots === '') return;
      await page.screenshot({ path: join(resolve(shots), `${name}.png`), fullPage: true });
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
