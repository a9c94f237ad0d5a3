/**
 * A field the auth spec does not declare is refused (CONNECTOR-1318-400 naming it and the declared ones),
 * by POST and by PATCH, in draft mode too, so a typo of a secret field is never stored in the clear: not
 * in a response, not in the SQLite file nor its WAL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../../test/support/sluice.ts';

let t: TestSluice;
beforeAll(async () => {
  t = await startTestSluice();
});
afterAll(async () => {
  await t.close();
});

const TYPO = 'TYPO-SECRET-5f3a9c';
const ats = (params: Record<string, unknown>) => ({
  name: 'ats',
  auth: { specName: 'Connection String Based Authentication', params },
  connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
});
const databricks = (params: Record<string, unknown>) => ({
  name: 'dbx',
  auth: {
    specName: 'Access Token Authentication',
    params: {
      domain: 'https://127.0.0.1:1',
      clusterId: 'c',
      accessToken: 'dapi-ok',
      database: 'd',
      ...params,
    },
  },
  connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
});

const storeBytes = (): string =>
  readdirSync(t.sluice.config.dataDir)
    .filter((name) => name.startsWith('sluice.db'))
    .map((name) => readFileSync(join(t.sluice.config.dataDir, name)).toString('latin1'))
    .join('');

it.each([
  [
    'an Azure accountKey next to connectionString',
    ats({ connectionString: 'UseDevelopmentStorage=true', accountKey: TYPO }),
    'accountKey',
    'connectionString',
  ],
  [
    'a Databricks token next to accessToken',
    databricks({ token: TYPO }),
    'token',
    'domain, clusterId, accessToken, database, catalog',
  ],
])('refuses %s by POST, also with mode=draft', async (_name, body, field, declared) => {
  for (const path of ['/connections', '/connections?mode=draft']) {
    const response = await t.request('POST', path, { body });
    expect(response.statusCode, response.body).toBe(400);
    const problem = response.json() as { type: string; errorMessage: string; report: { fields: string[] } };
    expect(problem.type).toContain('CONNECTOR-1318-400');
    expect(problem.errorMessage).toContain(`'auth.params.${field}' is not declared`);
    expect(problem.errorMessage).toContain(`declared: ${declared}`);
    expect(problem.report.fields).toEqual([`auth.params.${field}`]);
    expect(response.body).not.toContain(TYPO);
  }
  expect(storeBytes()).not.toContain(TYPO);
});

it('refuses an undeclared field added by PATCH, and stores nothing', async () => {
  const created = await t.request('POST', '/connections?mode=draft', { body: databricks({}) });
  expect(created.statusCode, created.body).toBe(201);
  const { id, etag } = created.json() as { id: string; etag: string };
  for (const operation of [
    { op: 'add', path: '/auth/params/token', value: TYPO },
    {
      op: 'replace',
      path: '/auth/params',
      value: { domain: 'https://127.0.0.1:1', clusterId: 'c', accessToken: 'x', database: 'd', token: TYPO },
    },
  ]) {
    const patched = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [operation],
    });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.body).toContain('CONNECTOR-1318-400');
  }
  const listed = await t.request('GET', '/connections');
  expect(listed.body).not.toContain(TYPO);
  expect(storeBytes()).not.toContain(TYPO);
});
