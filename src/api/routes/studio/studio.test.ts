/**
 * The API additions of Sluice Studio over a real store and lake: sandbox management, whoami, the SQL
 * console's query endpoint and the failed-records listing, with the gateway checks and Adobe's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../../test/support/sluice.ts';

let t: TestSluice;
let readOnly: Record<string, string>;

beforeAll(async () => {
  t = await startTestSluice();
  await t.sluice.identity.createSandbox(t.credentials.org.id, 'dev', 'Development');
  const { value } = await t.sluice.identity.createToken(t.credentials.org.id, {
    readOnly: true,
    expiresInDays: 1,
    name: 'viewer',
  });
  readOnly = { authorization: `Bearer ${value}` };
});
afterAll(async () => {
  await t.close();
});

const SANDBOXES = '/data/foundation/sandbox-management/sandboxes';

describe('sandbox management', () => {
  it("lists the org's sandboxes in Adobe's shape, with or without x-sandbox-name", async () => {
    for (const headers of [{}, { 'x-sandbox-name': undefined }]) {
      const response = await t.request('GET', SANDBOXES, { headers });
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { sandboxes: { name: string }[]; _page: unknown };
      expect(body.sandboxes.map((s) => s.name)).toEqual(['dev', 'prod']);
      expect(body.sandboxes[1]).toMatchObject({
        name: 'prod',
        title: 'Production',
        state: 'active',
        type: 'production',
        isDefault: true,
      });
      expect(body._page).toEqual({ limit: 50, offset: 0, count: 2 });
    }
  });

  it('pages with limit and offset and follows _links.next', async () => {
    const first = (await t.request('GET', `${SANDBOXES}?limit=1`)).json() as {
      sandboxes: { name: string }[];
      _links: { next?: { href: string } };
    };
    expect(first.sandboxes.map((s) => s.name)).toEqual(['dev']);
    const next = (await t.request('GET', first._links.next?.href ?? '')).json() as typeof first;
    expect(next.sandboxes.map((s) => s.name)).toEqual(['prod']);
    expect(next._links.next).toBeUndefined();
    expect((await t.request('GET', `${SANDBOXES}?limit=0`)).statusCode).toBe(400);
    expect((await t.request('GET', `${SANDBOXES}?page=2`)).json()).toMatchObject({
      title: 'Unknown query parameter',
    });
  });

  it('gets one sandbox by name; an unknown one is FLOW-2100-404', async () => {
    expect((await t.request('GET', `${SANDBOXES}/dev`)).json()).toMatchObject({
      name: 'dev',
      type: 'development',
    });
    const missing = await t.request('GET', `${SANDBOXES}/nope`);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ type: 'https://ns.adobe.com/aep/errors/FLOW-2100-404' });
  });

  it('checks the gateway headers like every API', async () => {
    expect((await t.request('GET', SANDBOXES, { headers: { authorization: undefined } })).statusCode).toBe(
      403,
    );
    expect((await t.request('GET', SANDBOXES, { headers: { 'x-api-key': 'slk_nope' } })).statusCode).toBe(
      403,
    );
    expect(
      (await t.request('GET', SANDBOXES, { headers: { 'x-gw-ims-org-id': 'other@AdobeOrg' } })).statusCode,
    ).toBe(403);
    expect((await t.request('GET', SANDBOXES, { headers: { 'x-sandbox-name': 'nope' } })).statusCode).toBe(
      404,
    );
  });
});

describe('whoami', () => {
  it('describes a full token', async () => {
    const response = await t.request('GET', '/data/foundation/sluice/whoami');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({
      imsOrg: t.credentials.org.id,
      orgName: 'Test Org',
      sandboxName: 'prod',
      userId: expect.any(String),
      clientId: 'sluice',
      tokenId: expect.stringMatching(/^[0-9a-f]{12}$/),
      tokenName: 'bootstrap',
      readOnly: false,
      expiresAt: null,
    });
    expect(response.body).not.toContain(t.credentials.accessToken);
  });

  it('describes a read-only, expiring token, and names no sandbox when none was sent', async () => {
    const body = (
      await t.request('GET', '/data/foundation/sluice/whoami', {
        headers: { ...readOnly, 'x-sandbox-name': undefined },
      })
    ).json() as { readOnly: boolean; expiresAt: string; sandboxName: null; tokenName: string };
    expect(body.readOnly).toBe(true);
    expect(body.sandboxName).toBeNull();
    expect(body.tokenName).toBe('viewer');
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
  });
});

describe('POST /data/foundation/query/queries', () => {
  const QUERIES = '/data/foundation/query/queries';
  beforeAll(async () => {
    const created = await t.request('POST', '/data/foundation/catalog/dataSets', {
      body: {
        name: 'people',
        schema: {
          fields: [
            { name: 'id', type: 'long' },
            { name: 'name', type: 'string' },
          ],
        },
      },
    });
    const id = (created.json() as string[])[0]!.replace('@/dataSets/', '');
    const tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
    const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, id);
    await writer.append(Array.from({ length: 30 }, (_, i) => ({ id: i, name: `p${i}` })));
    await t.sluice.datasets.commitBatch(batch.id, await writer.finish());
  });

  it('answers the rows at once in the fixed envelope', async () => {
    const sql = "SELECT id, name FROM dataset('people') WHERE id < 3 ORDER BY id";
    const response = await t.request('POST', QUERIES, { body: { sql } });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      id: expect.any(String),
      state: 'SUCCESS',
      sql,
      columns: [
        { name: 'id', type: expect.any(String) },
        { name: 'name', type: expect.any(String) },
      ],
      rows: [
        ['0', 'p0'],
        ['1', 'p1'],
        ['2', 'p2'],
      ],
      rowCount: 3,
      truncated: false,
    });
    // Longs travel as strings (JSON numbers lose precision past 2^53), as in every lake response.
  });

  it('truncates at maxRows, and a read-only token may query', async () => {
    const response = await t.request('POST', QUERIES, {
      body: { sql: "SELECT * FROM dataset('people')", maxRows: 10 },
      headers: readOnly,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ rowCount: 10, truncated: true });
  });

  it.each([
    ['a write', { sql: "DELETE FROM dataset('people')" }, 'LAKE-1001-400'],
    ['a file read', { sql: "SELECT * FROM read_csv('/etc/passwd')" }, 'LAKE-1001-400'],
    ['an unknown dataset', { sql: "SELECT * FROM dataset('nope')" }, 'FLOW-1439-404'],
    ['a SQL error', { sql: "SELECT CAST(name AS INTEGER) FROM dataset('people')" }, 'LAKE-1002-400'],
    ['no sql', {}, 'FLOW-1407-400'],
    ['maxRows too large', { sql: "SELECT 1 FROM dataset('people')", maxRows: 10_001 }, 'FLOW-1407-400'],
    ['an unknown field', { sql: "SELECT 1 FROM dataset('people')", format: 'csv' }, 'FLOW-1407-400'],
  ])('refuses %s with a catalogued 4xx', async (_label, body, code) => {
    const response = await t.request('POST', QUERIES, { body });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect((response.json() as { type: string }).type).toBe(`https://ns.adobe.com/aep/errors/${code}`);
  });

  it('belongs to the sandbox of the request', async () => {
    const response = await t.request('POST', QUERIES, {
      body: { sql: "SELECT * FROM dataset('people')" },
      headers: { 'x-sandbox-name': 'dev' },
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('GET /data/foundation/export/batches/{id}/failed', () => {
  it('lists no file for a batch without row errors, and says so for a download', async () => {
    const created = await t.request('POST', '/data/foundation/catalog/dataSets', {
      body: { name: 'clean', schema: { fields: [{ name: 'id', type: 'long' }] } },
    });
    const id = (created.json() as string[])[0]!.replace('@/dataSets/', '');
    const tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
    const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, id);
    await writer.append([{ id: 1 }]);
    await t.sluice.datasets.commitBatch(batch.id, await writer.finish());

    const path = `/data/foundation/export/batches/${batch.id}/failed`;
    expect((await t.request('GET', path)).json()).toEqual({ data: [], _page: { count: 0, limit: 100 } });
    const download = await t.request('GET', `${path}?path=row-errors.jsonl`);
    expect(download.statusCode).toBe(404);
    expect((download.json() as { type: string }).type).toMatch(/EXPORT-1001-404$/);
    expect((await t.request('GET', path, { headers: { 'x-sandbox-name': 'dev' } })).statusCode).toBe(404);
    expect((await t.request('GET', '/data/foundation/export/batches/nope/failed')).statusCode).toBe(404);
  });
});
