/** The Azure Table Storage tutorial's request against Sluice, with Azurite as the account. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { azuriteConnectionString } from './support/azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
beforeAll(async () => {
  t = await startTestSluice();
});
afterAll(async () => {
  await t.close();
});

const body = (connectionString: string) => ({
  name: 'Azure Table Storage connection',
  description: 'Azure Table Storage connection',
  auth: { specName: 'Connection String Based Authentication', params: { connectionString } },
  connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
});

it('creates the connection, masks the connection string, and says when the key is wrong', async () => {
  const created = await t.request('POST', '/connections', { body: body(azuriteConnectionString()) });
  expect(created.statusCode, created.body).toBe(201);
  const { id } = created.json() as { id: string };
  const fetched = await t.request('GET', `/connections/${id}`);
  const item = (fetched.json() as { items: { auth: { params: { connectionString: string } } }[] }).items[0]!;
  expect(item.auth.params.connectionString).toBe('********');
  expect(fetched.body).not.toContain('AccountKey');

  const wrongKey = Buffer.alloc(64, 7).toString('base64');
  const refused = await t.request('POST', '/connections', { body: body(azuriteConnectionString(wrongKey)) });
  expect(refused.statusCode).toBe(400);
  const problem = refused.json() as { errorMessage: string; report: { stage: string } };
  expect(problem.report.stage).toBe('authenticate');
  expect(problem.errorMessage).toMatch(/key/i);
  expect(problem.errorMessage).toMatch(/reject/i);
  expect(refused.body).not.toContain(wrongKey);

  const malformed = await t.request('POST', '/connections', {
    body: body('AccountName=x;AccountKey=not-base64!'),
  });
  expect(malformed.statusCode).toBe(400);
  expect((malformed.json() as { report: { stage: string } }).report.stage).toBe('parse');
});
