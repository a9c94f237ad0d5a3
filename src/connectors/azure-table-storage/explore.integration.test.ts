import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, azuriteEndpoint, uniqueTableName } from '../../../test/support/azurite.ts';
import { AppError } from '../../domain/errors.ts';
import type { ColumnSchema, FilterNode, SourceConnector } from '../connector.ts';
import { parseFilter } from '../filter.ts';
import { azureTableStorage, createAzureTableStorage } from './index.ts';
import { AZURITE_KEY, PEOPLE, seedNumbered, seedTable, testContext } from './test-fixture.ts';

const f = (fieldName: string) => ({ nodeType: 'fieldLookup', fieldName });
const l = (value: unknown) => ({ nodeType: 'literal', value });
const fn = (fnName: string, ...params: unknown[]) => ({ nodeType: 'fnApply', fnName, params });
const pql = (node: unknown): FilterNode => parseFilter(node);

const people = uniqueTableName('people');
const numbered = uniqueTableName('numbered');
const params = () => ({ connectionString: azuriteConnectionString() });
const connector = azureTableStorage.create({ schemaSampleSize: 1_000 });

async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

beforeAll(async () => {
  await seedTable(azuriteEndpoint(), people, PEOPLE);
  await seedNumbered(azuriteEndpoint(), numbered, 1_500);
});

describe('listTables', () => {
  it('lists every table of the account, across pages', async () => {
    const tables = await connector.listTables(params(), testContext());
    expect(tables).toContainEqual({
      type: 'table',
      name: people,
      path: people,
      canPreview: true,
      canFetchSchema: true,
    });
    expect(tables.map((t) => t.name)).toContain(numbered);
  });
});

describe('describeTable', () => {
  it('infers EDM types, system columns first, conflicts as string, sampled counts', async () => {
    const columns = await connector.describeTable(params(), people, testContext());
    const byName = new Map(columns.map((c) => [c.name, c]));
    expect(columns.slice(0, 3).map((c) => c.name)).toEqual(['PartitionKey', 'RowKey', 'Timestamp']);
    expect(byName.get('Timestamp')).toMatchObject({
      type: 'date-time',
      xdm: { type: 'string', format: 'date-time' },
      'meta:xdmType': 'date-time',
    });
    const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      PartitionKey: 'string',
      RowKey: 'string',
      Timestamp: 'date-time',
      firstname: 'string',
      age: 'integer',
      big: 'long',
      score: 'double',
      active: 'boolean',
      joined: 'date-time',
      id: 'string',
      blob: 'binary',
      city: 'string',
      mixed: 'string',
      nickname: 'string',
    });
    expect(byName.get('id')?.meta).toMatchObject({ originalType: 'Edm.Guid' });
    expect(byName.get('score')?.meta).toEqual({ originalType: 'Edm.Double', sampled: { present: 2, of: 7 } });
    expect(byName.get('mixed')?.meta).toEqual({
      originalType: 'conflict',
      seenTypes: ['Edm.Int32', 'Edm.String'],
      sampled: { present: 2, of: 7 },
    });
    expect(byName.get('age')?.meta).toEqual({ originalType: 'Edm.Int32', sampled: { present: 6, of: 7 } });
    expect(byName.get('blob')?.xdm).toEqual({ type: 'string', format: 'byte' });
  });

  it('names an unknown table (CONNECTOR-1340-404)', async () => {
    const error = await appError(connector.describeTable(params(), 'nosuchtable', testContext()));
    expect(error.code).toBe('CONNECTOR-1340-404');
    expect(error.message).toMatch(/Table "nosuchtable" does not exist/);
    const invalid = await appError(connector.describeTable(params(), 'no-such!', testContext()));
    expect(invalid.code).toBe('CONNECTOR-1340-404');
    expect(invalid.message).toMatch(/3-63 letters and digits/);
  });

  it('reports revoked credentials as a source error without the key', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const error = await appError(
      connector.describeTable({ connectionString: azuriteConnectionString(wrongKey) }, people, testContext()),
    );
    expect(error.code).toBe('CONNECTOR-1502-502');
    expect(error.message).toMatch(/Azure rejected the credential while reading table/);
    expect(error.message).not.toContain(wrongKey);
    expect(error.message).not.toContain(AZURITE_KEY);
  });

  it('reports a dead source (closed port) as CONNECTOR-1502-502', async () => {
    const port = await closedPort();
    const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`;
    const error = await appError(connector.describeTable({ connectionString: cs }, people, testContext()));
    expect(error.code).toBe('CONNECTOR-1502-502');
    expect(error.message).toMatch(/Could not reach http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1 .*refused/);
  });

  describe('against a server that never answers', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer(() => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      server.close();
      await new Promise((resolve) => setTimeout(resolve, 10));
    });

    it('times out with CONNECTOR-1504-504', async () => {
      const cs = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`;
      const ctx = testContext({ timeouts: { stageMs: 500, exploreMs: 400 } });
      const error = await appError(connector.describeTable({ connectionString: cs }, people, ctx));
      expect(error.code).toBe('CONNECTOR-1504-504');
      expect(error.message).toMatch(/did not answer within 400 ms while reading table/);
    }, 10_000);
  });

  it('refuses a host the egress policy denies', async () => {
    const ctx = testContext({
      egress: {
        assertAllowed: (host) =>
          Promise.reject(new AppError('CONNECTOR-1309-400', `Connections to ${host} are not allowed.`)),
      },
    });
    expect((await appError(connector.listTables(params(), ctx))).code).toBe('CONNECTOR-1309-400');
  });
});

describe('preview', () => {
  it('round-trips values exactly per the Row contract', async () => {
    const result = await connector.preview(params(), { table: people, count: 2 }, testContext());
    expect(result.rows).toHaveLength(2);
    const [first, second] = result.rows;
    expect(first).toMatchObject({
      PartitionKey: 'p1',
      RowKey: '001',
      firstname: 'Ramen',
      age: 25,
      big: '9007199254740993',
      score: 2.5,
      active: true,
      joined: '2024-02-29T12:34:56.123456Z',
      id: 'a1b2c3d4-0000-4000-8000-000000000001',
      blob: 'AAEC/w==',
      city: 'Zürich 🌊 東京',
      mixed: '5',
      nickname: null,
    });
    expect(first?.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}(\d{3})?Z$/);
    expect(second).toMatchObject({
      big: '-9223372036854775808',
      score: 3,
      active: false,
      mixed: 'five',
      city: null,
    });
    expect(Object.keys(first ?? {})).toEqual(result.columns.map((c) => c.name));
  });

  it('filters age >= 20 and firstname in ("Ramen","John") exactly', async () => {
    const filter = pql(fn('and', fn('>=', f('age'), l(20)), fn('in', f('firstname'), l(['Ramen', 'John']))));
    const result = await connector.preview(params(), { table: people, count: 100, filter }, testContext());
    expect(result.rows.map((r) => r.RowKey)).toEqual(['001', '003', '006', '007']);
  });

  it('applies isNull, NOT, like and or with SQL semantics', async () => {
    const rowKeys = async (node: unknown) =>
      (
        await connector.preview(params(), { table: people, count: 100, filter: pql(node) }, testContext())
      ).rows.map((r) => r.RowKey);
    expect(await rowKeys(fn('isNull', f('age')))).toEqual(['004']);
    expect(await rowKeys(fn('NOT', fn('isNull', f('city'))))).toEqual(['001', '003', '004']);
    expect(await rowKeys(fn('NOT', fn('<', f('age'), l(25))))).toEqual(['001', '003', '005']);
    expect(await rowKeys(fn('like', f('city'), l('%🌊%')))).toEqual(['001']);
    expect(await rowKeys(fn('like', f('city'), l("O'Brien\\_s")))).toEqual([]);
    expect(await rowKeys(fn('like', f('city'), l("O'Brien_s")))).toEqual(['003']);
    expect(
      await rowKeys(fn('or', fn('=', f('firstname'), l('Mary')), fn('>', f('big'), l('9007199254740992')))),
    ).toEqual(['001', '005']);
    expect(await rowKeys(fn('=', f('mixed'), l('5')))).toEqual(['001']);
    expect(await rowKeys(fn('<', f('joined'), l('2024-02-29T12:34:56.123457Z')))).toEqual(['001']);
  });

  it('rejects a filter on an unknown column or with a wrong literal type', async () => {
    const unknown = await appError(
      connector.preview(
        params(),
        { table: people, count: 5, filter: pql(fn('=', f('Age'), l(1))) },
        testContext(),
      ),
    );
    expect(unknown.code).toBe('CONNECTOR-1377-400');
    const mismatch = await appError(
      connector.preview(
        params(),
        { table: people, count: 5, filter: pql(fn('=', f('age'), l('20'))) },
        testContext(),
      ),
    );
    expect(mismatch.code).toBe('CONNECTOR-1378-400');
  });
});

describe('bounded reads', () => {
  function observed(schemaSampleSize: number, maxScannedEntities?: number) {
    const pages: number[] = [];
    const instance: SourceConnector = createAzureTableStorage(
      { schemaSampleSize },
      {
        onEntityPage: (n) => pages.push(n),
        ...(maxScannedEntities === undefined ? {} : { maxScannedEntities }),
      },
    );
    return { instance, pages, total: () => pages.reduce((a, b) => a + b, 0) };
  }

  it('an unfiltered preview reads only the schema sample, not the table', async () => {
    const { instance, pages, total } = observed(50);
    const result = await instance.preview(params(), { table: numbered, count: 3 }, testContext());
    expect(result.rows.map((r) => r.n)).toEqual([0, 1, 2]);
    expect(pages).toEqual([50]);
    expect(total()).toBe(50);
  });

  it('an unfiltered preview larger than the schema sample still returns count rows', async () => {
    const { instance, total } = observed(2);
    const result = await instance.preview(params(), { table: numbered, count: 5 }, testContext());
    expect(result.rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 4]);
    expect(total()).toBe(5);
  });

  it('a filter pushed down exactly returns just the matches', async () => {
    const { instance, total } = observed(50);
    const filter = pql(fn('>=', f('n'), l(1400)));
    const result = await instance.preview(params(), { table: numbered, count: 5, filter }, testContext());
    expect(result.rows.map((r) => r.n)).toEqual([1400, 1401, 1402, 1403, 1404]);
    expect(total()).toBe(50 + 5);
  });

  it('a filter evaluated in memory stops at count matches', async () => {
    const { instance, total } = observed(50);
    const filter = pql(fn('like', f('RowKey'), l('%99')));
    const result = await instance.preview(params(), { table: numbered, count: 2, filter }, testContext());
    expect(result.rows.map((r) => r.n)).toEqual([99, 199]);
    expect(total()).toBeLessThanOrEqual(50 + 1_000);
  });

  it('a filter evaluated in memory stops after the scan bound', async () => {
    const { instance, total } = observed(50, 300);
    const filter = pql(fn('like', f('RowKey'), l('%999')));
    const result = await instance.preview(params(), { table: numbered, count: 5, filter }, testContext());
    expect(result.rows).toEqual([]);
    expect(total()).toBe(50 + 300);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export type { ColumnSchema };
