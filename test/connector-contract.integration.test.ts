/**
 * One contract, two connectors: the same explore/preview assertions over HTTP against Azure Table
 * Storage (Azurite) and Databricks (the workspace emulator), holding the same six people.
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const PEOPLE: [string, number, string | null][] = [
  ['Ramen', 25, 'MZN'],
  ['John', 19, 'Lyon'],
  ['John', 31, null],
  ['Ada', 36, 'London'],
  ['Ramen', 20, 'Zürich'],
  ['Grace', 45, 'NYC'],
];

let t: TestSluice;
let emulator: DatabricksEmulator;
const atsTable = uniqueTableName('people');

interface Source {
  name: string;
  connectionId: string;
  table: string;
}
const sources: Source[] = [];

beforeAll(async () => {
  emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      catalogs: [
        {
          name: 'hive_metastore',
          databases: [
            {
              name: 'contract',
              tables: [
                {
                  name: 'people',
                  columns: [
                    { name: 'firstname', type: 'STRING' },
                    { name: 'age', type: 'INT' },
                    { name: 'city', type: 'STRING' },
                  ],
                  rows: PEOPLE,
                },
              ],
            },
          ],
        },
      ],
    },
  });
  t = await startTestSluice({ env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile } });

  const client = TableClient.fromConnectionString(azuriteConnectionString(), atsTable, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  for (const [index, [firstname, age, city]] of PEOPLE.entries()) {
    await client.createEntity({
      partitionKey: 'people',
      rowKey: String(index).padStart(3, '0'),
      firstname,
      age: { value: String(age), type: 'Int32' },
      ...(city === null ? {} : { city }),
    });
  }

  const ats = await t.request('POST', '/connections', {
    body: {
      name: 'Azure Table Storage connection',
      description: 'Azure Table Storage connection',
      auth: {
        specName: 'Connection String Based Authentication',
        params: { connectionString: azuriteConnectionString() },
      },
      connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
    },
  });
  expect(ats.statusCode, ats.body).toBe(201);
  sources.push({
    name: 'azure-table-storage',
    connectionId: (ats.json() as { id: string }).id,
    table: atsTable,
  });

  const dbx = await t.request('POST', '/connections', {
    body: {
      name: 'Databricks',
      auth: {
        specName: 'Access Token Authentication',
        params: {
          domain: emulator.url,
          clusterId: emulator.clusterId,
          accessToken: emulator.token,
          database: 'contract',
        },
      },
      connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
    },
  });
  expect(dbx.statusCode, dbx.body).toBe(201);
  sources.push({
    name: 'databricks',
    connectionId: (dbx.json() as { id: string }).id,
    table: 'contract.people',
  });
});

afterAll(async () => {
  await t.close();
  await emulator.stop();
});

type Explored = {
  format: string;
  schema: { columns: { name: string; type: string; xdm: { type: string } }[] };
  data?: Record<string, unknown>[];
};

const pql = (value: unknown): string =>
  encodeURIComponent(
    Buffer.from(JSON.stringify({ type: 'PQL', format: 'pql/json', value })).toString('base64'),
  );
const field = (fieldName: string) => ({ nodeType: 'fieldLookup', fieldName });
const literal = (value: unknown) => ({ nodeType: 'literal', value });
const fn = (fnName: string, ...params: unknown[]) => ({ nodeType: 'fnApply', fnName, params });

describe.each(['azure-table-storage', 'databricks'])('connector contract: %s', (name) => {
  const source = (): Source => sources.find((candidate) => candidate.name === name)!;
  const explore = async (query: string) =>
    t.request('GET', `/connections/${source().connectionId}/explore?${query}`);
  const preview = async (filter?: unknown, count = 100): Promise<Record<string, unknown>[]> => {
    const response = await explore(
      `objectType=table&object=${encodeURIComponent(source().table)}&preview=true&count=${count}${filter === undefined ? '' : `&filters=${pql(filter)}`}`,
    );
    expect(response.statusCode, response.body).toBe(200);
    return (response.json() as Explored).data ?? [];
  };
  const people = (rows: Record<string, unknown>[]) =>
    rows.map((row) => `${String(row['firstname'])}:${String(row['age'])}`).sort();

  it('lists the table at the root', async () => {
    const response = await explore('objectType=root');
    expect(response.statusCode).toBe(200);
    const tables = response.json() as { type: string; path: string; canPreview: boolean }[];
    expect(tables).toContainEqual(
      expect.objectContaining({
        type: 'table',
        path: source().table,
        canPreview: true,
        canFetchSchema: true,
      }),
    );
  });

  it('describes the shared columns with normalized and XDM types', async () => {
    const response = await explore(`objectType=table&object=${encodeURIComponent(source().table)}`);
    expect(response.statusCode).toBe(200);
    const body = response.json() as Explored;
    expect(body.format).toBe('flat');
    expect(body.data).toBeUndefined();
    const columns = Object.fromEntries(body.schema.columns.map((column) => [column.name, column]));
    expect(columns['firstname']).toMatchObject({ type: 'string', xdm: { type: 'string' } });
    expect(columns['age']).toMatchObject({ type: 'integer', xdm: { type: 'integer' } });
    expect(columns['city']).toMatchObject({ type: 'string' });
  });

  it('caps the preview', async () => {
    expect(await preview(undefined, 2)).toHaveLength(2);
    expect(await preview(undefined, 100)).toHaveLength(6);
    const defaulted = await explore(
      `objectType=table&object=${encodeURIComponent(source().table)}&preview=true`,
    );
    expect(((defaulted.json() as Explored).data ?? []).length).toBe(6);
  });

  it('filters with the same semantics', async () => {
    const tutorial = fn(
      'and',
      fn('>=', field('age'), literal(20)),
      fn('in', field('firstname'), literal(['Ramen', 'John'])),
    );
    expect(people(await preview(tutorial))).toEqual(['John:31', 'Ramen:20', 'Ramen:25']);
    expect(people(await preview(fn('isNull', field('city'))))).toEqual(['John:31']);
    expect(await preview(fn('NOT', fn('isNull', field('city'))))).toHaveLength(5);
    expect(people(await preview(fn('like', field('firstname'), literal('Ra%'))))).toEqual([
      'Ramen:20',
      'Ramen:25',
    ]);
    expect(
      people(await preview(fn('or', fn('=', field('age'), literal(45)), fn('<', field('age'), literal(20))))),
    ).toEqual(['Grace:45', 'John:19']);
    expect(people(await preview(fn('!=', field('firstname'), literal('John'))))).toHaveLength(4);
    const unicode = await preview(fn('=', field('city'), literal('Zürich')));
    expect(unicode.map((row) => row['city'])).toEqual(['Zürich']);
  });

  it('maps caller mistakes to the same codes', async () => {
    const table = encodeURIComponent(source().table);
    const cases: [string, number, string][] = [
      ['objectType=table&object=nosuchtable', 404, 'CONNECTOR-1340-404'],
      [
        `objectType=table&object=${table}&preview=true&filters=${pql(fn('=', field('nope'), literal(1)))}`,
        400,
        'CONNECTOR-1377-400',
      ],
      [
        `objectType=table&object=${table}&preview=true&filters=${pql(fn('=', field('age'), literal('old')))}`,
        400,
        'CONNECTOR-1378-400',
      ],
      // "%%%", percent-encoded (a raw %%% does not decode and is refused at the edge, FLOW-1484-400).
      [`objectType=table&object=${table}&preview=true&filters=%25%25%25`, 400, 'CONNECTOR-1389-400'],
      [
        `objectType=table&object=${table}&preview=true&filters=${pql(fn('NOT', literal(1), literal(2)))}`,
        400,
        'CONNECTOR-1390-400',
      ],
      [`objectType=table&object=${table}&preview=true&count=101`, 400, 'CONNECTOR-1341-400'],
      ['objectType=folder&object=x', 400, 'CONNECTOR-1358-400'],
      ['objectType=table', 400, 'CONNECTOR-1337-400'],
    ];
    for (const [query, status, code] of cases) {
      const response = await explore(query);
      expect(response.statusCode, `${query}: ${response.body}`).toBe(status);
      expect(response.body, query).toContain(code);
    }
  });
});
