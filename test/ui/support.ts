/** Helpers of the UI journeys: API set-up calls (server side, never through the page) and waits. */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { StudioEnv } from './studio-env.ts';

export const DATABRICKS_SPEC = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
export const ATS_SPEC = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
export const DATA_LAKE_SPEC = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';

/** One call to the API with the bootstrap credentials; fails the test on an error answer. */
export async function call(env: StudioEnv, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${env.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${env.credentials.accessToken}`,
      'x-api-key': env.credentials.apiKey,
      'x-gw-ims-org-id': env.credentials.org.id,
      'x-sandbox-name': 'prod',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return text === '' ? undefined : JSON.parse(text);
}

export const databricksAccount = (env: StudioEnv, name: string) => ({
  name,
  auth: {
    specName: 'Access Token Authentication',
    params: {
      domain: env.emulator.url,
      clusterId: env.emulator.clusterId,
      accessToken: env.emulator.token,
      database: 'shop',
    },
  },
  connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
});

export async function createAccount(env: StudioEnv, name: string): Promise<string> {
  return (
    (await call(env, 'POST', '/data/foundation/flowservice/connections', databricksAccount(env, name))) as {
      id: string;
    }
  ).id;
}

/** Waits until the locator's text matches (Playwright's own expect is not part of playwright-core). */
export async function textMatches(locator: Locator, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last =
      (await locator
        .first()
        .textContent({ timeout: timeoutMs })
        .catch(() => '')) ?? '';
    if (pattern.test(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`text ${JSON.stringify(last)} never matched ${String(pattern)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The cells of the first table row that contains `text`, as strings. */
export async function rowCells(page: Page, table: string, text: string | RegExp): Promise<string[]> {
  const row = page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: text }).first();
  await row.waitFor();
  return (await row.getByRole('cell').allTextContents()).map((cell) => cell.trim());
}
