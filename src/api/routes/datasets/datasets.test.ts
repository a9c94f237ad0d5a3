/**
 * Catalog dataSets and batches over HTTP with a real store and lake: Adobe's shapes, validation,
 * tenant isolation, soft delete, and the commit protocol (a batch is visible only once committed;
 * a crashed batch is invisible and collected).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../../test/support/sluice.ts';
import type { Tenant } from '../../../domain/tenancy.ts';

const CATALOG = '/data/foundation/catalog';
let t: TestSluice;
let tenant: Tenant;

const call = (
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; headers?: Record<string, string | undefined> } = {},
) =>
  t.app.inject({
    method,
    url: `${CATALOG}${path}`,
    headers: {
      ...t.headers(options.headers),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(options.body === undefined ? {} : { payload: JSON.stringify(options.body) }),
  });

const schema = {
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'person', type: 'object', fields: [{ name: 'email', type: 'string' }] },
  ],
};

async function createDataset(
  name: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const response = await call('POST', '/dataSets', { body: { name, schema, ...extra }, headers });
  expect(response.statusCode, response.body).toBe(201);
  const [ref] = response.json() as string[];
  expect(ref).toMatch(/^@\/dataSets\/[0-9a-f]{24}$/);
  return ref!.slice('@/dataSets/'.length);
}

async function writeBatch(datasetId: string, rows: Record<string, unknown>[], commit: boolean) {
  const { batch, writer } = await t.sluice.datasets.beginBatch(tenant, datasetId, { runId: 'run-1' });
  await writer.append(rows);
  const result = await writer.finish();
  if (commit) await t.sluice.datasets.commitBatch(batch.id, result);
  return { batch, result };
}

beforeAll(async () => {
  t = await startTestSluice();
  tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
  await t.sluice.identity.createSandbox(t.credentials.org.id, 'dev');
});
afterAll(async () => {
  await t.close();
});

describe('dataSets', () => {
  it('creates, gets (keyed by id), lists with properties and deletes softly', async () => {
    // Its own sandbox, so the listing sees only this test's datasets whatever else has run.
    await t.sluice.identity.createSandbox(t.credentials.org.id, 'listing');
    const headers = { 'x-sandbox-name': 'listing' };
    const id = await createDataset(
      'orders',
      {
        description: 'Orders from CRM',
        schemaRef: {
          id: 'https://ns.adobe.com/acme/schemas/1',
          contentType: 'application/vnd.adobe.xed+json;version=1',
        },
        tags: { team: ['sales'] },
      },
      headers,
    );
    const got = await call('GET', `/dataSets/${id}`, { headers });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual({
      [id]: expect.objectContaining({
        name: 'orders',
        description: 'Orders from CRM',
        imsOrg: t.credentials.org.id,
        schema,
        schemaRef: {
          id: 'https://ns.adobe.com/acme/schemas/1',
          contentType: 'application/vnd.adobe.xed+json;version=1',
        },
        tags: { team: ['sales'] },
        state: 'ENABLED',
      }),
    });

    const other = await createDataset('customers', {}, headers);
    const listed = await call('GET', '/dataSets?properties=name&orderBy=asc:name&limit=10', { headers });
    expect(listed.json()).toMatchObject({ [other]: { name: 'customers' }, [id]: { name: 'orders' } });
    expect(Object.keys((listed.json() as Record<string, object>)[id] ?? {})).toEqual(['name']);
    const paged = await call('GET', '/dataSets?orderBy=asc:name&limit=1&start=1', { headers });
    expect(Object.keys(paged.json() as object)).toEqual([id]);
    const repeated = await call('GET', '/dataSets?orderBy=asc:name&limit=1&start=1&limit=1', { headers });
    expect(Object.keys(repeated.json() as object)).toEqual([id]);
    expect((await call('GET', '/dataSets?limit=1&limit=2', { headers })).statusCode).toBe(400);

    const deleted = await call('DELETE', `/dataSets/${id}`, { headers });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual([`@/dataSets/${id}`]);
    expect((await call('GET', `/dataSets/${id}`, { headers })).statusCode).toBe(404);
    expect(Object.keys((await call('GET', '/dataSets', { headers })).json() as object)).not.toContain(id);
    expect((await call('DELETE', `/dataSets/${id}`, { headers })).statusCode).toBe(404);
  });

  it.each([
    ['no name', { schema }, /name/],
    ['no schema', { name: 'x1' }, /Schema Registry/],
    ['an unknown type', { name: 'x2', schema: { fields: [{ name: 'a', type: 'uuid' }] } }, /a\.type/],
    [
      'duplicate names',
      {
        name: 'x3',
        schema: {
          fields: [
            { name: 'a', type: 'string' },
            { name: 'A', type: 'long' },
          ],
        },
      },
      /duplicate/,
    ],
    [
      'an empty object',
      { name: 'x4', schema: { fields: [{ name: 'o', type: 'object', fields: [] }] } },
      /o: "fields" must not be empty/,
    ],
    [
      'a bad decimal',
      { name: 'x5', schema: { fields: [{ name: 'd', type: 'decimal', precision: 40 }] } },
      /precision/,
    ],
  ])('refuses a dataset with %s', async (_label, body, message) => {
    const response = await call('POST', '/dataSets', { body });
    expect(response.statusCode).toBe(400);
    expect((response.json() as { errorMessage: string }).errorMessage).toMatch(message);
  });

  it("takes explore's columns as fields: a string with meta:xdmType is a date or date-time", async () => {
    const response = await call('POST', '/dataSets', {
      body: {
        name: 'explored',
        schema: {
          fields: [
            { name: 'TestID', type: 'string', xdm: { type: 'string' } },
            {
              name: 'Datefield',
              type: 'string',
              'meta:xdmType': 'date-time',
              xdm: { type: 'string', format: 'date-time' },
            },
            { name: 'Birthday', type: 'string', 'meta:xdmType': 'date' },
            { name: 'Legacy', type: 'date-time' },
          ],
        },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = String((response.json() as string[])[0]).replace('@/dataSets/', '');
    const view = (await call('GET', `/dataSets/${id}`)).json() as Record<string, { schema: unknown }>;
    expect(view[id]?.schema).toEqual({
      fields: [
        { name: 'TestID', type: 'string' },
        { name: 'Datefield', type: 'date-time' },
        { name: 'Birthday', type: 'date' },
        { name: 'Legacy', type: 'date-time' },
      ],
    });
  });

  it('keeps names unique per sandbox', async () => {
    await createDataset('unique-name');
    const again = await call('POST', '/dataSets', { body: { name: 'unique-name', schema } });
    expect(again.statusCode).toBe(409);
    const elsewhere = await call('POST', '/dataSets', {
      body: { name: 'unique-name', schema },
      headers: { 'x-sandbox-name': 'dev' },
    });
    expect(elsewhere.statusCode).toBe(201);
  });

  it('answers 404 to another sandbox for every dataset and batch route', async () => {
    const id = await createDataset('isolated');
    const { batch } = await writeBatch(id, [{ id: 1 }], true);
    for (const path of [
      `/dataSets/${id}`,
      `/dataSets/${id}/batches`,
      `/dataSets/${id}/preview`,
      `/batches/${batch.id}`,
    ]) {
      const response = await call('GET', path, { headers: { 'x-sandbox-name': 'dev' } });
      expect(response.statusCode, path).toBe(404);
    }
    expect(
      (await call('DELETE', `/dataSets/${id}`, { headers: { 'x-sandbox-name': 'dev' } })).statusCode,
    ).toBe(404);
    expect(
      Object.keys(
        (await call('GET', '/dataSets', { headers: { 'x-sandbox-name': 'dev' } })).json() as object,
      ),
    ).not.toContain(id);
  });

  it('requires the gateway headers', async () => {
    const response = await call('GET', '/dataSets', { headers: { authorization: undefined } });
    expect(response.statusCode).toBe(403);
  });
});

describe('batches and preview', () => {
  it('shows committed batches with metrics and previews their rows', async () => {
    const id = await createDataset('events');
    const rows = Array.from({ length: 25 }, (_, i) => ({
      id: String(i),
      name: `n${i}`,
      person: { email: `p${i}@x.io` },
    }));
    const { batch } = await writeBatch(id, rows, true);

    const listed = await call('GET', `/dataSets/${id}/batches`);
    expect(listed.json()).toEqual({
      [batch.id]: expect.objectContaining({
        status: 'success',
        relatedObjects: [
          { type: 'dataSet', id },
          { type: 'flowRun', id: 'run-1' },
        ],
        metrics: expect.objectContaining({ recordsWritten: 25, outputFileCount: 1 }),
      }),
    });
    const got = await call('GET', `/batches/${batch.id}`);
    expect(
      (got.json() as Record<string, { metrics: { outputByteSize: number } }>)[batch.id]?.metrics
        .outputByteSize,
    ).toBeGreaterThan(0);

    const preview = await call('GET', `/dataSets/${id}/preview`);
    const data = (preview.json() as { data: unknown[] }).data;
    expect(data).toHaveLength(10);
    expect(data[0]).toEqual({ id: '0', name: 'n0', person: { email: 'p0@x.io' } });
    expect(
      ((await call('GET', `/dataSets/${id}/preview?limit=1000`)).json() as { data: unknown[] }).data,
    ).toHaveLength(25);
    expect((await call('GET', `/dataSets/${id}/preview?limit=1001`)).statusCode).toBe(400);
    expect((await call('GET', `/batches/01ARZ3NDEKTSV4RRFFQ69G5FAV`)).statusCode).toBe(404);
  });

  it('never shows a batch whose writer crashed before commit, and GC removes its files', async () => {
    const id = await createDataset('crashy');
    await writeBatch(id, [{ id: 1, name: 'committed' }], true);
    // Crash after the rename, before the store commit: files in place, batch still loading.
    const renamed = await writeBatch(id, [{ id: 2, name: 'renamed-not-committed' }], false);
    // Crash while writing: files still in staging.
    const { batch: staged, writer } = await t.sluice.datasets.beginBatch(tenant, id, {
      writer: { maxRowsPerFile: 1 },
    });
    await writer.append([
      { id: 3, name: 'staged' },
      { id: 4, name: 'staged' },
    ]);

    const preview = (await call('GET', `/dataSets/${id}/preview?limit=100`)).json() as {
      data: { name: string }[];
    };
    expect(preview.data.map((row) => row.name)).toEqual(['committed']);
    const query = await t.sluice.datasets.query(tenant, "SELECT name FROM dataset('crashy')");
    expect(query.rows).toEqual([['committed']]);
    expect(
      ((await call('GET', `/batches/${renamed.batch.id}`)).json() as Record<string, { status: string }>)[
        renamed.batch.id
      ]?.status,
    ).toBe('loading');

    await writer.abort();
    const lakeDir = t.sluice.config.lake.dir;
    const renamedDir = join(lakeDir, 'datasets', id, renamed.batch.id);
    expect(existsSync(renamedDir)).toBe(true);
    const { removed } = await t.sluice.datasets.collectGarbage();
    expect(removed).toContain(`datasets/${id}/${renamed.batch.id}`);
    expect(existsSync(renamedDir)).toBe(false);
    expect(existsSync(join(lakeDir, '_staging', staged.id))).toBe(false);
    expect(((await call('GET', `/dataSets/${id}/preview`)).json() as { data: unknown[] }).data).toHaveLength(
      1,
    );
  });

  it('collects the files of a deleted dataset', async () => {
    const id = await createDataset('doomed');
    await writeBatch(id, [{ id: 1 }], true);
    expect((await call('DELETE', `/dataSets/${id}`)).statusCode).toBe(200);
    const { removed } = await t.sluice.datasets.collectGarbage();
    expect(removed.some((path) => path.startsWith(`datasets/${id}/`))).toBe(true);
    expect(existsSync(join(t.sluice.config.lake.dir, 'datasets', id))).toBe(false);
  });
});
