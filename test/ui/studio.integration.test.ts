/**
 * Sluice Studio end to end: a real Chromium (playwright-core, Debian's /usr/bin/chromium) against a real
 * Sluice serving the built UI, with Azurite and the Databricks emulator. Elements are found by role and
 * label only. Every journey also checks that no request left the origin, that no credential appeared in
 * a URL, and (at the end) that none reached the server log or the page's HTML.
 * Screenshots for docs/ui.md: SLUICE_UI_SCREENSHOTS=docs/ui npm run test:ui.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildUi, uiIsFresh } from '../../scripts/build-ui.ts';
import { launchStudioBrowser, type StudioBrowser } from './browser.ts';
import { startStudioEnv, type StudioEnv } from './studio-env.ts';
import { call, createAccount, rowCells, textMatches } from './support.ts';

let env: StudioEnv;
let browser: StudioBrowser;
const pages: { page: Page; requests: string[] }[] = [];
const secrets: string[] = [];

beforeAll(async () => {
  if (!uiIsFresh()) buildUi();
  env = await startStudioEnv();
  browser = await launchStudioBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/** A signed-in page of its own (fresh context, so each test is independent). */
async function signedIn(options: { readOnly?: boolean } = {}): Promise<Page> {
  const opened = await browser.page();
  pages.push(opened);
  const link = await env.link(options);
  const fragment = new URLSearchParams(new URL(link).hash.slice(1));
  secrets.push(fragment.get('token') ?? '', fragment.get('apiKey') ?? '');
  await opened.page.goto(link);
  await opened.page.getByRole('heading', { name: 'Catalog' }).waitFor();
  return opened.page;
}

afterEach(async () => {
  for (const { page, requests } of pages.splice(0)) {
    const html = await page.content().catch(() => '');
    for (const secret of [...secrets, env.credentials.accessToken, env.credentials.apiKey]) {
      if (secret === '') continue;
      expect(html.includes(secret), 'a credential in the page HTML').toBe(false);
      for (const url of requests) expect(url.includes(secret), `a credential in the URL ${url}`).toBe(false);
    }
    for (const url of requests) {
      expect(url.startsWith(`${env.origin}/`) || url.startsWith('blob:') || url.startsWith('data:'), `a request left the origin: ${url}`).toBe(true);
    }
  }
});

describe('Sluice Studio', () => {
  it('signs in with the start link, then connects Azure Table Storage and Databricks through the spec forms', async () => {
    const page = await signedIn();
    expect(page.url()).toBe(`${env.origin}/catalog`);
    await browser.screenshot(page, 'catalog');

    await page.getByRole('link', { name: 'Set up Azure Table Storage' }).click();
    await page.getByLabel('Account name').fill('Azure events');
    const connectionString = page.getByLabel('connectionString');
    expect(await connectionString.getAttribute('type')).toBe('password');
    const wrongKey = Buffer.alloc(64, 9).toString('base64');
    await connectionString.fill(env.azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`));
    await page.getByRole('button', { name: 'Connect' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The account was not created' });
    await textMatches(refusal, /authenticate/);
    const failed = refusal.getByRole('list', { name: 'Verification stages' }).getByRole('listitem').filter({ hasText: 'failed' });
    expect(await failed.textContent()).toMatch(/^\W*authenticate: failed/);
    await browser.screenshot(page, 'connect-failed-stage');

    await connectionString.fill(env.azurite.connectionString);
    secrets.push(env.azurite.connectionString.match(/AccountKey=([^;]+)/)?.[1] ?? '');
    await page.getByRole('button', { name: 'Connect' }).click();
    const connected = page.getByRole('status').filter({ hasText: 'Connected' });
    await connected.waitFor();
    expect(await connected.getByRole('list', { name: 'Verification stages' }).getByRole('listitem').count()).toBeGreaterThan(2);
    await page.getByRole('button', { name: /^Show request/ }).first().click();
    const curl = await page.getByLabel('curl').first().textContent();
    expect(curl).toContain('$ACCESS_TOKEN');
    expect(curl).toContain('"connectionString":"********"');
    await browser.screenshot(page, 'connect-success');

    // Databricks: a terminated cluster says so.
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('link', { name: 'Set up Azure Databricks' }).click();
    await page.getByLabel('Account name').fill('Databricks shop');
    await page.getByLabel('domain').fill(env.emulator.url);
    await page.getByLabel('clusterId').fill('0123-456789-stopped');
    expect(await page.getByLabel('accessToken').getAttribute('type')).toBe('password');
    await page.getByLabel('accessToken').fill(env.emulator.token);
    await page.getByLabel('database').fill('shop');
    await page.getByRole('button', { name: 'Connect' }).click();
    await textMatches(page.getByRole('alert').filter({ hasText: 'not created' }), /TERMINATED/);
    await page.getByLabel('clusterId').fill(env.emulator.clusterId);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByRole('status').filter({ hasText: 'Connected' }).waitFor();

    await page.getByRole('link', { name: 'Accounts' }).click();
    const cells = await rowCells(page, 'Accounts', 'Databricks shop');
    expect(cells.slice(1, 3)).toEqual(['Azure Databricks', 'enabled']);
    await rowCells(page, 'Accounts', 'Azure events');
    await browser.screenshot(page, 'accounts');
    // The catalog counts the accounts per source.
    await page.getByRole('link', { name: 'Catalog' }).click();
    await textMatches(page.getByRole('article', { name: 'Azure Databricks' }), /[1-9]\d* accounts?, /);
  });

  it('selects a table, previews and filters it, builds a dataflow with a new dataset, and each run lands only the new rows', async () => {
    const accountId = await createAccount(env, 'Shop for a dataflow');
    const page = await signedIn();
    await page.goto(`${env.origin}/accounts/${accountId}/explore`);
    await page.getByLabel('Search tables').fill('customers');
    await page.getByRole('button', { name: 'shop.customers' }).click();
    const schema = await rowCells(page, 'Schema', 'updated_at');
    expect(schema).toEqual(['updated_at', 'timestamp', 'date-time', 'date-time']);
    expect(await page.getByRole('table', { name: 'Preview' }).getByRole('row').count()).toBe(11);

    await page.getByRole('button', { name: 'Add condition' }).click();
    await page.getByLabel('Column').selectOption('city');
    await page.getByLabel('Value').fill('Paris');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByLabel('Preview rows').selectOption('100');
    const filtered = page.getByRole('table', { name: 'Preview (filtered)' });
    await textMatches(filtered, /Paris/);
    await textMatches(filtered.getByRole('row').nth(14), /Paris/);
    expect(await filtered.getByRole('row').count()).toBe(15);
    expect(await filtered.getByRole('row').filter({ hasText: /Oslo|Lima/ }).count()).toBe(0);
    await browser.screenshot(page, 'select-data');

    await page.getByRole('link', { name: 'Create a dataflow from this table' }).click();
    await page.getByRole('heading', { name: 'New dataflow from shop.customers' }).waitFor();
    await page.getByLabel('Dataset name').fill('paris customers');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByLabel('Dataset field for city').inputValue()).toBe('city');
    await page.getByRole('button', { name: 'Validate mapping' }).click();
    await page.getByRole('status').filter({ hasText: 'The mapping is valid.' }).waitFor();
    await browser.screenshot(page, 'wizard-mapping');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByLabel('Frequency').inputValue()).toBe('once');
    expect(await page.getByLabel('Delta column').inputValue()).toBe('updated_at');
    await browser.screenshot(page, 'wizard-scheduling');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Dataflow name').fill('Paris customers');
    await page.getByRole('button', { name: 'Create dataflow' }).click();
    await page.getByRole('status').filter({ hasText: 'Dataflow created' }).waitFor();
    const calls = await page.getByRole('list', { name: 'API calls' }).getByRole('listitem').allTextContents();
    expect(calls.map((text) => text.replace(/\(.*$/, '').trim())).toEqual([
      'Create the source connection',
      'Create the dataset',
      'Create the target connection',
      'Create the mapping set',
      'Create the dataflow',
    ]);
    expect(calls.every((text) => text.endsWith('done'))).toBe(true);
    await browser.screenshot(page, 'wizard-created');

    await page.getByRole('link', { name: 'All dataflows' }).click();
    const listed = await rowCells(page, 'Dataflows', 'Paris customers');
    expect(listed.slice(1, 6)).toEqual(['Shop for a dataflow', 'paris customers', 'enabled', 'once (run now)', 'never']);
    await page.getByRole('button', { name: 'Run Paris customers now' }).click();
    await page.getByRole('heading', { name: 'Runs of Paris customers' }).waitFor();
    const history = page.getByRole('table', { name: /^Run history/ });
    await textMatches(history.getByRole('row').nth(1), /success/, 30_000);
    const first = (await history.getByRole('row').nth(1).getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(first.slice(2, 6)).toEqual(['success', '14', '14', '0']);

    // New rows at the source: one in Paris, one elsewhere. The next run lands only the Paris one.
    const stamp = new Date(Date.now() - 1000).toISOString().replace('T', ' ').replace('Z', '');
    await env.emulator.exec(
      `INSERT INTO hive_metastore.shop.customers VALUES (100, 'Newcomer', 'Paris', TIMESTAMP '${stamp}'), (101, 'Other', 'Oslo', TIMESTAMP '${stamp}')`,
    );
    await page.getByRole('button', { name: 'Run now' }).click();
    await textMatches(history.getByRole('row').nth(2), /success/, 30_000);
    await textMatches(history.getByRole('row').nth(1), /success/, 30_000);
    const second = (await history.getByRole('row').nth(1).getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(second.slice(2, 6)).toEqual(['success', '1', '1', '0']);
    await page.getByRole('img', { name: 'Records landed per run: 2 runs, max 14, last 1' }).waitFor();
    await browser.screenshot(page, 'dataflow-runs');

    await page.getByRole('link', { name: 'Dataflows' }).click();
    const after = await rowCells(page, 'Dataflows', 'Paris customers');
    expect(after[5]).toMatch(/^success, /);
    expect(after[6]).toBe('1');
    await browser.screenshot(page, 'dataflows');
  });
});

