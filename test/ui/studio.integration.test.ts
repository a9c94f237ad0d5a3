/**
 * Sluice Studio end to end: a real Chromium (playwright-core, Debian's /usr/bin/chromium) against a real
 * Sluice serving the built UI, with Azurite and the Databricks emulator. Elements are found by role and
 * label only. Every journey also checks that no request left the origin, that no credential appeared in
 * a URL, and (at the end) that none reached the server log or the page's HTML.
 * Screenshots for docs/ui.md: SLUICE_UI_SCREENSHOTS=docs/ui npm run test:ui.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildUi, uiIsFresh } from '../../scripts/build-ui.ts';
import { launchStudioBrowser, type StudioBrowser } from './browser.ts';
import { startStudioEnv, type StudioEnv } from './studio-env.ts';
import { call, createAccount, DATABRICKS_SPEC, rowCells, textMatches } from './support.ts';
import { DATA_LAKE_SPEC } from './support.ts';

let env: StudioEnv;
let browser: StudioBrowser;
const pages: { page: Page; requests: string[]; problems: string[] }[] = [];
const secrets: string[] = [];

beforeAll(async () => {
  if (!uiIsFresh()) buildUi();
  env = await startStudioEnv();
  browser = await launchStudioBrowser();
}, 120_000);

afterAll(async () => {
  // Either is undefined when beforeAll failed part-way.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  await browser?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
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
  // The server log has a line per request, and no credential in any of them.
  const log = env.logs.join('');
  expect(log).toContain('"msg":"request"');
  for (const secret of [...secrets, env.credentials.accessToken, env.credentials.apiKey]) {
    if (secret !== '') expect(log.includes(secret), 'a credential in the server log').toBe(false);
  }
  for (const { page, requests, problems } of pages.splice(0)) {
    expect(problems, 'page errors or CSP violations').toEqual([]);
    const html = await page.content().catch(() => '');
    for (const secret of [...secrets, env.credentials.accessToken, env.credentials.apiKey]) {
      if (secret === '') continue;
      expect(html.includes(secret), 'a credential in the page HTML').toBe(false);
      for (const url of requests) expect(url.includes(secret), `a credential in the URL ${url}`).toBe(false);
    }
    for (const url of requests) {
      expect(
        url.startsWith(`${env.origin}/`) || url.startsWith('blob:') || url.startsWith('data:'),
        `a request left the origin: ${url}`,
      ).toBe(true);
    }
  }
});

/** A once flow over shop.orders (every 10th qty is not a number) into an integer field, made over the API. */
async function createOrdersFlow(
  name: string,
  account: string,
  options: Record<string, unknown>,
): Promise<void> {
  const accountId = await createAccount(env, account);
  const explored = await call(
    env,
    'GET',
    `/data/foundation/flowservice/connections/${accountId}/explore?objectType=table&object=shop.orders`,
  );
  const source = await call(env, 'POST', '/data/foundation/flowservice/sourceConnections', {
    name: 'orders source',
    baseConnectionId: accountId,
    data: { format: 'tabular' },
    params: { tableName: 'shop.orders', columns: explored.schema.columns },
    connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
  });
  const fields = [
    { name: 'order_id', type: 'long' },
    { name: 'qty', type: 'integer' },
    { name: 'updated_at', type: 'date-time' },
  ];
  const [ref] = await call(env, 'POST', '/data/foundation/catalog/dataSets', {
    name: `${name} landing`,
    schema: { fields },
  });
  const dataSetId = String(ref).replace('@/dataSets/', '');
  const target = await call(env, 'POST', '/data/foundation/flowservice/targetConnections', {
    name: 'orders target',
    data: { format: 'parquet_xdm' },
    params: { dataSetId },
    connectionSpec: { id: DATA_LAKE_SPEC, version: '1.0' },
  });
  const mapping = await call(env, 'POST', '/data/foundation/conversion/mappingSets', {
    xdmSchema: dataSetId,
    xdmVersion: '1.0',
    mappings: fields.map((f) => ({ sourceType: 'ATTRIBUTE', source: f.name, destination: f.name })),
  });
  const flowSpecs = await call(env, 'GET', '/data/foundation/flowservice/flowSpecs');
  await call(env, 'POST', '/data/foundation/flowservice/flows', {
    name,
    flowSpec: { id: flowSpecs.items[0].id, version: '1.0' },
    sourceConnectionIds: [source.id],
    targetConnectionIds: [target.id],
    transformations: [{ name: 'Mapping', params: { mappingId: mapping.id, mappingVersion: 0 } }],
    // A day ahead: the once flow's scheduled full copy does not happen during the test; Run now does.
    scheduleParams: { startTime: String(Math.floor(Date.now() / 1000) + 86_400), frequency: 'once' },
    options,
    labels: ['deltaColumn:updated_at'],
  });
}

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
    await connectionString.fill(
      env.azurite.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`),
    );
    await page.getByRole('button', { name: 'Connect' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'The account was not created' });
    await textMatches(refusal, /authenticate/);
    const failed = refusal
      .getByRole('list', { name: 'Verification stages' })
      .getByRole('listitem')
      .filter({ hasText: 'failed' });
    expect(await failed.textContent()).toMatch(/^\W*authenticate: failed/);
    await browser.screenshot(page, 'connect-failed-stage');

    await connectionString.fill(env.azurite.connectionString);
    secrets.push(env.azurite.connectionString.match(/AccountKey=([^;]+)/)?.[1] ?? '');
    await page.getByRole('button', { name: 'Connect' }).click();
    const connected = page.getByRole('status').filter({ hasText: 'Connected' });
    await connected.waitFor();
    expect(
      await connected.getByRole('list', { name: 'Verification stages' }).getByRole('listitem').count(),
    ).toBeGreaterThan(2);
    await page
      .getByRole('button', { name: /^Show request/ })
      .first()
      .click();
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
    expect(await rowCells(page, 'Schema', 'id')).toEqual(['id', 'bigint', 'long', 'integer']);
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
    expect(
      await filtered
        .getByRole('row')
        .filter({ hasText: /Oslo|Lima/ })
        .count(),
    ).toBe(0);
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
    // A once flow copies the whole table at its start time; later runs are "Run now". A start a year
    // ahead keeps that scheduled copy out of this journey, which runs on demand only.
    await page.getByLabel('Start time').fill(`${new Date().getFullYear() + 1}-01-01T00:00`);
    await page.getByRole('paragraph').filter({ hasText: '-01-01T' }).filter({ hasText: '(UTC)' }).waitFor();
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
    expect(listed.slice(1, 6)).toEqual([
      'Shop for a dataflow',
      'paris customers',
      'enabled',
      'once (run now)',
      'never',
    ]);
    await page.getByRole('button', { name: 'Run Paris customers now' }).click();
    await page.getByRole('heading', { name: 'Runs of Paris customers' }).waitFor();
    const history = page.getByRole('table', { name: /^Run history/ });
    await textMatches(history.getByRole('row').nth(1), /success/, 30_000);
    const first = (await history.getByRole('row').nth(1).getByRole('cell').allTextContents()).map((c) =>
      c.trim(),
    );
    expect(first.slice(2, 6)).toEqual(['success', '14', '14', '0']);

    // New rows at the source: one in Paris, one elsewhere. The next run lands only the Paris one.
    // Stamped now: after the first run's window (it ended when Run now was pressed), before the next one's end.
    const stamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
    await env.emulator.exec(
      `INSERT INTO hive_metastore.shop.customers VALUES (100, 'Newcomer', 'Paris', TIMESTAMP '${stamp}'), (101, 'Other', 'Oslo', TIMESTAMP '${stamp}')`,
    );
    await page.getByRole('button', { name: 'Run now' }).click();
    await textMatches(history.getByRole('row').nth(2), /success/, 30_000);
    await textMatches(history.getByRole('row').nth(1), /success/, 30_000);
    const second = (await history.getByRole('row').nth(1).getByRole('cell').allTextContents()).map((c) =>
      c.trim(),
    );
    expect(second.slice(2, 6)).toEqual(['success', '1', '1', '0']);
    await page.getByRole('img', { name: 'Records landed per run: 2 runs, max 14, last 1' }).waitFor();
    await browser.screenshot(page, 'dataflow-runs');

    await page.getByRole('link', { name: 'Dataflows' }).click();
    const after = await rowCells(page, 'Dataflows', 'Paris customers');
    expect(after[5]).toMatch(/^success, /);
    expect(after[6]).toBe('1');
    await browser.screenshot(page, 'dataflows');
    await page.getByRole('button', { name: 'Disable Paris customers' }).click();
    await page.getByRole('button', { name: 'Enable Paris customers' }).waitFor();
    expect((await rowCells(page, 'Dataflows', 'Paris customers'))[3]).toBe('disabled');
    expect(await page.getByRole('button', { name: 'Run Paris customers now' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Enable Paris customers' }).click();
    await page.getByRole('button', { name: 'Disable Paris customers' }).waitFor();
    await page.getByRole('button', { name: 'Delete Paris customers' }).click();
    await textMatches(page.getByRole('table', { name: 'Dataflows' }), /^(?!.*Paris customers)/);
    expect(await page.getByRole('link', { name: 'Paris customers' }).count()).toBe(0);
  });

  it('shows a run with bad rows: its failed count, row-error samples and the row-errors download', async () => {
    await createOrdersFlow('Orders with bad rows', 'Shop orders', {
      errorDiagnosticsEnabled: true,
      partialIngestionPercent: 50,
    });
    const page = await signedIn();
    await page.getByRole('link', { name: 'Dataflows' }).click();
    await page.getByRole('button', { name: 'Run Orders with bad rows now' }).click();
    const history = page.getByRole('table', { name: /^Run history/ });
    await textMatches(history.getByRole('row').nth(1), /success/, 30_000);
    const cells = (await history.getByRole('row').nth(1).getByRole('cell').allTextContents()).map((c) =>
      c.trim(),
    );
    expect(cells.slice(2, 6)).toEqual(['success', '50', '45', '5']);
    await history.getByRole('row').nth(1).getByRole('link').click();

    await page.getByRole('heading', { name: /^Run / }).waitFor();
    expect(await rowCells(page, 'Run errors', 'CONNECTOR-2001-500')).toEqual([
      'CONNECTOR-2001-500',
      expect.stringMatching(/5 row\(s\) could not be converted/),
    ]);
    const samples = page.getByRole('table', { name: 'Row-error samples' });
    expect(await samples.getByRole('row').count()).toBe(6);
    expect(await samples.getByRole('row').nth(1).textContent()).toMatch(/qty/);
    await browser.screenshot(page, 'run-detail');

    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the row-errors file' }).click();
    const file = await downloading;
    expect(file.suggestedFilename()).toMatch(/row-errors\.jsonl$/);
    const path = await file.path();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { column: string });
    expect(lines).toHaveLength(5);
    expect(lines.every((line) => line.column === 'qty')).toBe(true);
  });

  it('queries a landed dataset in the SQL console, shows its batches and preview, and downloads CSV', async () => {
    const tenant = {
      orgId: env.credentials.org.id,
      sandboxId: env.credentials.sandbox.id,
      sandboxName: 'prod',
    };
    const dataset = await env.sluice.datasets.create(
      { ...tenant, userId: 'u', clientId: 'test' },
      {
        name: 'cities landed',
        schema: {
          fields: [
            { name: 'id', type: 'long' },
            { name: 'city', type: 'string' },
          ],
        },
      },
    );
    const { batch, writer } = await env.sluice.datasets.beginBatch(tenant, dataset.id);
    await writer.append(
      Array.from({ length: 30 }, (_, i) => ({ id: i, city: ['Paris', 'Oslo', 'Lima'][i % 3] ?? '' })),
    );
    await env.sluice.datasets.commitBatch(batch.id, await writer.finish());

    const page = await signedIn();
    await page.getByRole('link', { name: 'Datasets' }).click();
    await page.getByRole('link', { name: 'cities landed', exact: true }).click();
    expect((await rowCells(page, 'Batches', batch.id)).slice(1, 4)).toEqual(['success', '30', '1']);
    expect(await page.getByRole('table', { name: 'Preview' }).getByRole('row').count()).toBe(31);
    await browser.screenshot(page, 'dataset');
    await page.getByRole('link', { name: 'Query cities landed in the SQL console' }).click();
    expect(await page.getByLabel('SQL').inputValue()).toContain("dataset('cities landed')");
    await page
      .getByLabel('SQL')
      .fill("SELECT city, count(*) AS n FROM dataset('cities landed') GROUP BY city ORDER BY city");
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('status').filter({ hasText: '3 rows' }).waitFor();
    expect(await rowCells(page, 'Query results', 'Lima')).toEqual(['Lima', '10']);
    await browser.screenshot(page, 'sql-console');
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download CSV' }).click();
    const csv = readFileSync(await (await downloading).path(), 'utf8');
    expect(csv).toBe('city,n\r\nLima,10\r\nOslo,10\r\nParis,10\r\n');

    await page.getByLabel('SQL').fill("DELETE FROM dataset('cities landed')");
    await page.getByRole('button', { name: 'Run query' }).click();
    await textMatches(page.getByRole('alert'), /LAKE-1001-400/);
  });

  it('with a read-only token shows everything and changes nothing, saying why', async () => {
    const accountId = await createAccount(env, 'Shop seen read-only');
    const page = await signedIn({ readOnly: true });
    await textMatches(page.getByRole('note'), /Read-only token/);
    const setUp = page.getByRole('button', { name: 'Set up Azure Databricks' });
    expect(await setUp.isDisabled()).toBe(true);
    await browser.screenshot(page, 'read-only-catalog');
    await page.goto(`${env.origin}/accounts/${accountId}`);
    await page.getByRole('heading', { name: 'Account Shop seen read-only' }).waitFor();
    for (const name of ['Edit credentials', 'Delete account']) {
      const button = page.getByRole('button', { name });
      expect(await button.isDisabled(), name).toBe(true);
      expect(await button.getAttribute('title')).toMatch(/Read-only token/);
    }
    await page.goto(`${env.origin}/accounts/${accountId}/explore?table=shop.customers`);
    expect(await page.getByRole('button', { name: 'Create a dataflow from this table' }).isDisabled()).toBe(
      true,
    );
    // Reading still works, the SQL console included (a query changes nothing).
    await page.getByRole('link', { name: 'SQL console' }).click();
    await page.getByLabel('SQL').fill("SELECT count(*) AS n FROM dataset('nope')");
    await page.getByRole('button', { name: 'Run query' }).click();
    await textMatches(page.getByRole('alert'), /FLOW-1439-404/);
  });

  it('returns to sign-in with the reason when the token is revoked, and a deep link opens after signing in', async () => {
    const page = await signedIn();
    const token = secrets.at(-2) ?? '';
    const tokenId = token.split('_')[1] ?? '';
    await env.sluice.identity.revokeToken(tokenId);
    await page.getByRole('link', { name: 'Accounts' }).click();
    await textMatches(page.getByRole('alert'), /revoked/);
    await page.getByRole('heading', { name: 'Sign in to Sluice Studio' }).waitFor();
    await browser.screenshot(page, 'sign-in');

    // Paste credentials at a deep link: the screen of the URL opens.
    await page.goto(`${env.origin}/datasets`);
    const fresh = await env.sluice.identity.createToken(env.credentials.org.id, {
      name: 'pasted',
      expiresInDays: 1,
    });
    secrets.push(fresh.value);
    await page.getByLabel('Access token').fill(fresh.value);
    await page.getByLabel('API key').fill(env.credentials.apiKey);
    await page.getByLabel('Organization').fill(env.credentials.org.id);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Datasets' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await textMatches(page.getByRole('alert'), /signed out/);
    await page.goBack();
    await page.getByRole('heading', { name: 'Sign in to Sluice Studio' }).waitFor();
  });

  it('edits credentials with If-Match: a stale edit says so and reloads; a refused delete lists the dataflows in the way', async () => {
    const accountId = await createAccount(env, 'Shop to edit');
    const page = await signedIn();
    await page.goto(`${env.origin}/accounts/${accountId}`);
    await page.getByRole('button', { name: 'Edit credentials' }).click();
    const token = page.getByLabel('accessToken');
    expect(await token.inputValue()).toBe('');
    expect(await token.getAttribute('type')).toBe('password');
    await browser.screenshot(page, 'account-edit');
    const current = await call(env, 'GET', `/data/foundation/flowservice/connections/${accountId}`);
    await fetch(`${env.origin}/data/foundation/flowservice/connections/${accountId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${env.credentials.accessToken}`,
        'x-api-key': env.credentials.apiKey,
        'x-gw-ims-org-id': env.credentials.org.id,
        'x-sandbox-name': 'prod',
        'content-type': 'application/json-patch+json',
        'if-match': current.items[0].etag,
      },
      body: JSON.stringify([{ op: 'replace', path: '/name', value: 'Renamed elsewhere' }]),
    });
    await page.getByLabel('Description').fill('changed here');
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await textMatches(page.getByRole('alert'), /FLOW-1404-412/);
    await page.getByRole('button', { name: 'Reload the account' }).click();
    await page.getByRole('heading', { name: 'Account Renamed elsewhere' }).waitFor();

    // Test again works; a delete of an account that a dataflow uses is refused with the flow named.
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').filter({ hasText: 'The connection works.' }).waitFor();
    const source = await call(env, 'POST', '/data/foundation/flowservice/sourceConnections', {
      name: 'edit source',
      baseConnectionId: accountId,
      data: { format: 'tabular' },
      params: { tableName: 'shop.customers', columns: [{ name: 'id', type: 'long' }] },
      connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
    });
    const [ref] = await call(env, 'POST', '/data/foundation/catalog/dataSets', {
      name: 'edit landing',
      schema: { fields: [{ name: 'id', type: 'long' }] },
    });
    const target = await call(env, 'POST', '/data/foundation/flowservice/targetConnections', {
      name: 'edit target',
      data: { format: 'parquet_xdm' },
      params: { dataSetId: String(ref).replace('@/dataSets/', '') },
      connectionSpec: { id: DATA_LAKE_SPEC, version: '1.0' },
    });
    const flowSpecs = await call(env, 'GET', '/data/foundation/flowservice/flowSpecs');
    await call(env, 'POST', '/data/foundation/flowservice/flows', {
      name: 'Flow in the way',
      flowSpec: { id: flowSpecs.items[0].id, version: '1.0' },
      sourceConnectionIds: [source.id],
      targetConnectionIds: [target.id],
      scheduleParams: { startTime: String(Math.floor(Date.now() / 1000)), frequency: 'once' },
    });
    await page.reload();
    await page.getByRole('button', { name: 'Delete account' }).click();
    await textMatches(page.getByRole('alert'), /FLOW-1418-400/);
    expect(
      await page.getByRole('list', { name: 'Dataflows in the way' }).getByRole('link').allTextContents(),
    ).toEqual(['Flow in the way']);
    await browser.screenshot(page, 'account-delete-refused');
  });

  it('removes the pieces already created when a step of the dataflow creation fails, and says which and why', async () => {
    const accountId = await createAccount(env, 'Shop for a refused dataflow');
    const page = await signedIn();
    await page.goto(`${env.origin}/dataflows/new?account=${accountId}&table=shop.customers`);
    await page.getByLabel('Dataset name').fill('refused landing');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Frequency').selectOption('minute');
    await page.getByLabel('Interval').fill('5');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create dataflow' }).click();
    await textMatches(
      page.getByRole('alert').filter({ hasText: 'The dataflow was not created' }),
      /CONNECTOR-1363-400/,
    );
    const calls = page.getByRole('list', { name: 'API calls' }).getByRole('listitem');
    await textMatches(calls.last(), /Remove the source connection: removed/);
    const texts = (await calls.allTextContents()).map((text) =>
      text
        .replace(/\(POST [^)]*\)/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    expect(texts.slice(0, 5).map((text) => text.split(':')[0])).toEqual([
      'Create the source connection ',
      'Create the dataset ',
      'Create the target connection ',
      'Create the mapping set ',
      'Create the dataflow ',
    ]);
    expect(texts[4]).toMatch(/failed.*interval/i);
    expect(texts.slice(5)).toEqual([
      expect.stringMatching(/^Remove the mapping set: kept/),
      'Remove the target connection: removed',
      'Remove the dataset: removed',
      'Remove the source connection: removed',
    ]);
    await browser.screenshot(page, 'wizard-rolled-back');
    const datasets = await call(env, 'GET', '/data/foundation/catalog/dataSets?limit=100');
    expect(Object.values(datasets as Record<string, { name: string }>).map((d) => d.name)).not.toContain(
      'refused landing',
    );
  });

  it('switches sandbox with the picker: each sandbox shows only its own accounts', async () => {
    const name = `dev${Date.now().toString(36)}`;
    await env.sluice.identity.createSandbox(env.credentials.org.id, name, `Development ${name}`);
    await createAccount(env, 'Shop in prod only');
    const page = await signedIn();
    await page.getByRole('link', { name: 'Accounts' }).click();
    await rowCells(page, 'Accounts', 'Shop in prod only');
    await page.getByLabel('Sandbox').selectOption(name);
    await textMatches(page.getByRole('table', { name: 'Accounts' }), /No accounts yet/);
    await page.getByLabel('Sandbox').selectOption('prod');
    await rowCells(page, 'Accounts', 'Shop in prod only');
  });

  it('re-triggers a failed run from its page, and the new run links back to it', async () => {
    await createOrdersFlow('Orders that fail', 'Shop orders strict', { errorDiagnosticsEnabled: true });
    const page = await signedIn();
    await page.getByRole('link', { name: 'Dataflows' }).click();
    await page.getByRole('button', { name: 'Run Orders that fail now' }).click();
    const history = page.getByRole('table', { name: /^Run history/ });
    await textMatches(history.getByRole('row').nth(1), /failed/, 30_000);
    await history.getByRole('row').nth(1).getByRole('link').click();
    expect((await rowCells(page, 'Run errors', 'CONNECTOR-2001-500'))[1]).toMatch(/above the allowed 0%/);
    const failedUrl = page.url();
    await page.getByRole('button', { name: 'Re-trigger this run' }).click();
    await page.waitForURL((url) => url.toString() !== failedUrl);
    await page.getByRole('link', { name: /^Run [0-9a-f]{8}$/ }).waitFor();
    expect(new URL(failedUrl).pathname).toContain(
      ((await page.getByRole('link', { name: /^Run [0-9a-f]{8}$/ }).textContent()) ?? '').replace('Run ', ''),
    );
    await textMatches(page.getByRole('definition').first(), /failed|scheduled|inProgress/);
  });
});
