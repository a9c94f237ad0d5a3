/**
 * Every route that addresses an instance entity answers 404 to any other tenant: another sandbox of the
 * same org, and another org. Lists never show another tenant's entities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
let id: string;
let etag: string;
let otherSandbox: Record<string, string>;
let otherOrg: Record<string, string>;

const draftBody = {
  name: 'tenant A connection',
  auth: {
    specName: 'Access Token Authentication',
    params: {
      domain: 'https://adb-1.1.azuredatabricks.net',
      clusterId: 'c',
      accessToken: 'dapi-secret',
      database: 'd',
    },
  },
  connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
};

beforeAll(async () => {
  t = await startTestSluice();
  const created = (await t.request('POST', '/connections?mode=draft', { body: draftBody })).json() as {
    id: string;
    etag: string;
  };
  ({ id, etag } = created);
  await t.sluice.identity.createSandbox(t.credentials.org.id, 'dev');
  otherSandbox = { 'x-sandbox-name': 'dev' };
  const org = await t.sluice.identity.createOrg('Org B');
  otherOrg = {
    authorization: `Bearer ${org.accessToken}`,
    'x-api-key': org.apiKey,
    'x-gw-ims-org-id': org.org.id,
    'x-sandbox-name': 'prod',
  };
});
afterAll(async () => {
  await t.close();
});

const routes = (): [string, 'GET' | 'PATCH' | 'DELETE' | 'POST', string, unknown][] => [
  ['get', 'GET', `/connections/${id}`, undefined],
  ['patch', 'PATCH', `/connections/${id}`, [{ op: 'replace', path: '/name', value: 'stolen' }]],
  ['test', 'GET', `/connections/${id}/test`, undefined],
  ['explore', 'GET', `/connections/${id}/explore?objectType=root`, undefined],
  ['action', 'POST', `/connections/${id}/action?op=publish`, undefined],
  ['delete', 'DELETE', `/connections/${id}`, undefined],
];

describe.each([
  ['another sandbox of the same org', () => otherSandbox],
  ['another org', () => otherOrg],
])('from %s', (_name, headersOf) => {
  it.each(['get', 'patch', 'test', 'explore', 'action', 'delete'])('%s is 404', async (name) => {
    const route = routes().find((candidate) => candidate[0] === name)!;
    const [, method, path, body] = route;
    const response = await t.request(method, path, {
      headers: { ...headersOf(), 'if-match': etag },
      ...(body === undefined ? {} : { body }),
    });
    expect(response.statusCode, response.body).toBe(404);
    expect(response.body).toContain('FLOW-1439-404');
  });

  it('lists nothing of tenant A', async () => {
    const response = await t.request('GET', '/connections', { headers: headersOf() });
    expect(response.statusCode).toBe(200);
    expect((response.json() as { items: unknown[] }).items).toEqual([]);
    const count = await t.request('GET', '/connections?count=true', { headers: headersOf() });
    expect(count.json()).toEqual({ count: 0 });
  });
});

it('leaves tenant A untouched after all those attempts', async () => {
  const response = await t.request('GET', `/connections/${id}`);
  expect(response.statusCode).toBe(200);
  const item = (response.json() as { items: { name: string; etag: string }[] }).items[0]!;
  expect(item.name).toBe('tenant A connection');
  expect(item.etag).toBe(etag);
});
