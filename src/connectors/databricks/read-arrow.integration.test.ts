/**
 * The Arrow read path against the emulator answering Arrow batches (as real Databricks does): the same
 * cells as the row path (the emulator answering column-based results) and as preview, for every type,
 * nulls and edge values included, with the batches carrying their columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFixture } from '../../../emulators/databricks/fixture.ts';
import {
  startDatabricksEmulator,
  type DatabricksEmulator,
  type WorkspaceFixture,
} from '../../../emulators/databricks/index.ts';
import type { ConnectorContext, ReadRequest, RecordBatch } from '../connector.ts';
import { createEgressPolicy } from '../egress.ts';
import { createDatabricks } from './index.ts';

const customers = defaultFixture.catalogs[0]?.databases[0]?.tables.find((t) => t.name === 'customers');
if (customers === undefined) throw new Error('the emulator default fixture lost its customers table');

const fixture: WorkspaceFixture = {
  workspaceId: '0',
  tokens: ['tok'],
  clusters: [{ id: 'c', name: 'interactive', state: 'RUNNING', kind: 'interactive' }],
  catalogs: [
    {
      name: 'hive_metastore',
      databases: [
        {
          name: 'acme',
          tables: [
            customers,
            {
              name: 'edges',
              columns: [
                { name: 'id', type: 'INT' },
                { name: 'l', type: 'BIGINT' },
                { name: 'd', type: 'DECIMAL(10,3)' },
                { name: 'big', type: 'DECIMAL(38,0)' },
                { name: 't', type: 'TIMESTAMP' },
                { name: 'dt', type: 'DATE' },
                { name: 'x', type: 'DOUBLE' },
                { name: 'b', type: 'BINARY' },
                { name: 's', type: 'STRING' },
                { name: 'flag', type: 'BOOLEAN' },
              ],
              rows: [
                [
                  1,
                  -9223372036854775808n,
                  '-0.005',
                  '-99999999999999999999999999999999999999',
                  '1969-12-31 23:59:59.999999',
                  '1900-02-28',
                  -0,
                  'AAEC',
                  'Zürich 東京 🚀',
                  false,
                ],
                [
                  2,
                  9223372036854775807n,
                  '1234567.890',
                  '99999999999999999999999999999999999999',
                  '1970-01-01 00:00:00',
                  '2024-02-29',
                  1e308,
                  '',
                  '',
                  true,
                ],
                [3, null, null, null, null, null, null, null, null, null],
                [
                  4,
                  9007199254740993n,
                  '0.000',
                  '0',
                  '2024-03-01 10:30:00.000001',
                  '0001-01-01',
                  5e-324,
                  '/w==',
                  'plain',
                  true,
                ],
                [
                  5,
                  -1n,
                  '-1.000',
                  '-1',
                  '9999-12-31 23:59:59.123',
                  '9999-12-31',
                  -2.5,
                  'AA==',
                  '  padded  ',
                  false,
                ],
              ],
            },
            {
              name: 'big',
              columns: [
                { name: 'i', type: 'BIGINT' },
                { name: 'label', type: 'STRING' },
                { name: 'at', type: 'TIMESTAMP' },
              ],
              generate: {
                count: 5_000,
                select:
                  "i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'row ' || i END, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND",
              },
            },
          ],
        },
      ],
    },
  ],
};

let arrowEmu: DatabricksEmulator;
let columnEmu: DatabricksEmulator;
beforeAll(async () => {
  [arrowEmu, columnEmu] = await Promise.all([
    startDatabricksEmulator({ fixture, resultFormat: 'arrow' }),
    startDatabricksEmulator({ fixture, resultFormat: 'column' }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([arrowEmu.stop(), columnEmu.stop()]);
});

const connector = createDatabricks();
const ctx = (emu: DatabricksEmulator): ConnectorContext => ({
  signal: new AbortController().signal,
  timeouts: { stageMs: 3_000, exploreMs: 5_000 },
  egress: createEgressPolicy({ allow: ['127.0.0.1', 'localhost'], deny: [], denyPrivate: true }),
  extraCaCerts: [emu.caPem],
});
const params = (emu: DatabricksEmulator): Record<string, unknown> => ({
  domain: `${emu.url}/`,
  clusterId: 'c',
  accessToken: 'tok',
  database: 'acme',
});

async function read(emu: DatabricksEmulator, request: ReadRequest): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = [];
  for await (const batch of connector.read(params(emu), request, ctx(emu))) batches.push(batch);
  return batches;
}

describe('read over Arrow results', () => {
  it.each(['customers', 'edges'])('gives the cells of the row path and of preview (%s)', async (table) => {
    const request: ReadRequest = { table, columns: [], batchSize: 2 };
    const [arrow, rows] = await Promise.all([read(arrowEmu, request), read(columnEmu, request)]);
    expect(arrow.every((batch) => batch.columns !== undefined)).toBe(true);
    expect(rows.every((batch) => batch.columns === undefined)).toBe(true);
    expect(arrow.every((batch) => batch.rows.length <= 2)).toBe(true);
    const arrowRows = arrow.flatMap((batch) => batch.rows);
    expect(arrowRows).toEqual(rows.flatMap((batch) => batch.rows));
    const preview = await connector.preview(params(arrowEmu), { table, count: 100 }, ctx(arrowEmu));
    expect(arrowRows).toEqual(preview.rows);
  });

  it('keeps 64-bit integers, decimals and microseconds exact', async () => {
    const rows = (await read(arrowEmu, { table: 'edges', columns: [], batchSize: 10 })).flatMap(
      (b) => b.rows,
    );
    expect(rows[0]).toMatchObject({
      l: '-9223372036854775808',
      d: '-0.005',
      big: '-99999999999999999999999999999999999999',
      t: '1969-12-31T23:59:59.999999Z',
      dt: '1900-02-28',
      b: Buffer.from('AAEC').toString('base64'), // the fixture's binary cells are their text's bytes
      s: 'Zürich 東京 🚀',
    });
    expect(rows[3]).toMatchObject({
      l: '9007199254740993',
      t: '2024-03-01T10:30:00.000001Z',
      dt: '0001-01-01',
    });
    expect(Object.values(rows[2] ?? {}).filter((v) => v !== null)).toEqual([3]);
  });

  it('reads a window of a larger table as typed buffers, nulls in their bitmap', async () => {
    const window = { column: 'at', start: '2024-01-01T00:10:00Z', end: '2024-01-01T01:00:00Z' };
    const batches = await read(arrowEmu, {
      table: 'big',
      columns: ['i', 'label', 'at'],
      batchSize: 500,
      window,
    });
    const first = batches[0]?.columns;
    expect(first?.columns.get('i')?.data.kind).toBe('int64');
    expect(first?.columns.get('label')?.data.kind).toBe('utf8');
    expect(first?.columns.get('at')?.data.kind).toBe('micros');
    const rows = batches.flatMap((b) => b.rows);
    expect(rows).toHaveLength(3_000);
    expect(rows.filter((r) => r.label === null)).toHaveLength(
      rows.filter((r) => Number(r.i) % 7 === 0).length,
    );
    const column = await read(columnEmu, {
      table: 'big',
      columns: ['i', 'label', 'at'],
      batchSize: 500,
      window,
    });
    expect(rows).toEqual(column.flatMap((b) => b.rows));
  });
});
