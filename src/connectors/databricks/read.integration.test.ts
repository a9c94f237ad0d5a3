import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultFixture } from '../../../emulators/databricks/fixture.ts';
import {
  startDatabricksEmulator,
  type DatabricksEmulator,
  type WorkspaceFixture,
} from '../../../emulators/databricks/index.ts';
import { AppError } from '../../domain/errors.ts';
import type { ConnectorContext, ReadRequest, RecordBatch, Row } from '../connector.ts';
import { createEgressPolicy } from '../egress.ts';
import { parseFilter } from '../filter.ts';
import { createDatabricks } from './index.ts';

const customers = defaultFixture.catalogs[0]?.databases[0]?.tables.find((t) => t.name === 'customers');
if (customers === undefined) throw new Error('the emulator default fixture lost its customers table');

const fixture: WorkspaceFixture = {
  workspaceId: '0',
  tokens: ['tok-good', 'tok-doomed'],
  clusters: [
    { id: 'c-run', name: 'interactive', state: 'RUNNING', kind: 'interactive' },
    { id: 'c-stop', name: 'stopped', state: 'TERMINATED', kind: 'interactive', startDelayMs: 300 },
    { id: 'c-pending', name: 'starting', state: 'PENDING', kind: 'interactive' },
  ],
  catalogs: [
    {
      name: 'hive_metastore',
      databases: [
        {
          name: 'acme',
          tables: [
            customers,
            {
              name: 'events',
              columns: [
                { name: 'id', type: 'BIGINT' },
                { name: 'kind', type: 'STRING' },
                { name: 'at', type: 'TIMESTAMP' },
              ],
              rows: [
                [1n, 'signup', '2024-03-01 09:59:59.999999'], // just before start: out
                [2n, 'signup', '2024-03-01 10:00:00'], // exactly start: in
                [3n, 'login', '2024-03-01 10:30:00.000001'], // in
                [4n, 'signup', '2024-03-01 10:59:59.999999'], // in
                [5n, 'signup', '2024-03-01 11:00:00'], // exactly end: out
                [6n, 'signup', null], // null delta: never read
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
                count: 100_000,
                select: "i, 'row ' || i, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND",
              },
            },
          ],
        },
      ],
    },
  ],
};

let emu: DatabricksEmulator;
beforeAll(async () => {
  // Column-based results: the row path (the Arrow path has read-arrow.integration.test.ts).
  emu = await startDatabricksEmulator({ fixture, resultFormat: 'column' });
}, 60_000);
afterAll(async () => {
  await emu.stop();
});

const connector = createDatabricks();
const ctx = (overrides: Partial<ConnectorContext> = {}): ConnectorContext => ({
  signal: new AbortController().signal,
  timeouts: { stageMs: 3_000, exploreMs: 5_000 },
  egress: createEgressPolicy({ allow: ['127.0.0.1', 'localhost'], deny: [], denyPrivate: true }),
  extraCaCerts: [emu.caPem],
  ...overrides,
});
const params = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  domain: `${emu.url}/`,
  clusterId: 'c-run',
  accessToken: 'tok-good',
  database: 'acme',
  ...overrides,
});
const request = (overrides: Partial<ReadRequest> & { table: string }): ReadRequest => ({
  columns: [],
  batchSize: 100,
  ...overrides,
});
const WINDOW = { column: 'at', start: '2024-03-01T10:00:00Z', end: '2024-03-01T11:00:00Z' };

const iterate = (batches: AsyncIterable<RecordBatch>): AsyncIterator<RecordBatch> =>
  batches[Symbol.asyncIterator]();
async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const all: RecordBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}
const rowsOf = (batches: readonly RecordBatch[]): Row[] => batches.flatMap((b) => b.rows);
async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('planRead and prepareRead', () => {
  it('plans with the DESCRIBE columns and no key columns', async () => {
    const plan = await connector.planRead(params(), 'acme.events', ctx());
    expect(plan.keyColumns).toEqual([]);
    expect(plan.columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'long'],
      ['kind', 'string'],
      ['at', 'date-time'],
    ]);
  });

  it('starts a terminated cluster and waits until it runs', async () => {
    const stopped = params({ clusterId: 'c-stop' });
    await failure(collect(connector.read(stopped, request({ table: 'events' }), ctx())));
    await connector.prepareRead?.(stopped, ctx());
    const rows = rowsOf(await collect(connector.read(stopped, request({ table: 'events' }), ctx())));
    expect(rows).toHaveLength(6);
  });
});

describe('read', () => {
  it('reads the half-open window exactly, timestamps compared on the cluster', async () => {
    const rows = rowsOf(
      await collect(connector.read(params(), request({ table: 'events', window: WINDOW }), ctx())),
    );
    expect(rows.map((r) => r.id).sort()).toEqual(['2', '3', '4']);
    expect(rows.find((r) => r.id === '3')).toEqual({
      id: '3',
      kind: 'login',
      at: '2024-03-01T10:30:00.000001Z',
    });
    const open = rowsOf(
      await collect(
        connector.read(
          params(),
          request({ table: 'events', window: { column: 'at', end: WINDOW.end } }),
          ctx(),
        ),
      ),
    );
    expect(open.map((r) => r.id).sort()).toEqual(['1', '2', '3', '4']);
    const statement = emu.stats.statements.at(-1) ?? '';
    expect(statement).toMatch(/WHERE `at` < \?/);
  });

  it('ANDs the source filter with the window and reads only the requested columns', async () => {
    const filter = parseFilter({
      nodeType: 'fnApply',
      fnName: '=',
      params: [
        { nodeType: 'fieldLookup', fieldName: 'kind' },
        { nodeType: 'literal', value: 'signup' },
      ],
    });
    const rows = rowsOf(
      await collect(
        connector.read(
          params(),
          request({ table: 'events', columns: ['id'], window: WINDOW, filter }),
          ctx(),
        ),
      ),
    );
    expect(rows).toEqual([{ id: '2' }, { id: '4' }]);
  });

  it('returns values identical to preview', async () => {
    const rows = rowsOf(
      await collect(connector.read(params(), request({ table: 'customers', batchSize: 2 }), ctx())),
    );
    const preview = await connector.preview(params(), { table: 'customers', count: 100 }, ctx());
    expect(rows).toEqual(preview.rows);
    expect(rows[0]).toMatchObject({ big_id: '9007199254740993', balance: '12345678901234567890.123456789' });
  });

  it('never returns more than batchSize rows per batch', async () => {
    const window = { column: 'at', start: '2024-01-01T00:00:00Z', end: '2024-01-01T02:46:40Z' };
    const batches = await collect(
      connector.read(params(), request({ table: 'big', batchSize: 700, window }), ctx()),
    );
    expect(rowsOf(batches)).toHaveLength(10_000);
    expect(batches.every((b) => b.rows.length > 0 && b.rows.length <= 700)).toBe(true);
    expect(batches.reduce((n, b) => n + b.bytes, 0)).toBeGreaterThan(10_000 * 8);
  });

  it('fetches lazily: one pulled batch costs at most about two batches at the source', async () => {
    const iterator = iterate(connector.read(params(), request({ table: 'big', batchSize: 1_000 }), ctx()));
    emu.resetStats();
    const first = await iterator.next();
    expect(first.value?.rows).toHaveLength(1_000);
    // DESCRIBE's three rows plus at most two chunks of the table.
    expect(emu.stats.rowsFetched).toBeLessThanOrEqual(2 * 1_000 + 10);
    await iterator.return?.();
  });

  it('stops at once when the signal aborts and closes the statement and the session', async () => {
    const closed: string[] = [];
    const observed = createDatabricks({ onClosed: (what) => closed.push(what) });
    const controller = new AbortController();
    const iterator = iterate(
      observed.read(params(), request({ table: 'big', batchSize: 500 }), ctx({ signal: controller.signal })),
    );
    await iterator.next();
    const pending = iterator.next();
    controller.abort(new Error('run cancelled'));
    await expect(pending).rejects.toThrow('run cancelled');
    await vi.waitFor(() => {
      expect(closed).toEqual(expect.arrayContaining(['operation', 'session']));
    });
    const fetches = emu.stats.fetchCalls;
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(emu.stats.fetchCalls).toBe(fetches);
  });

  it('closes the statement and the session when the consumer stops early', async () => {
    const closed: string[] = [];
    const observed = createDatabricks({ onClosed: (what) => closed.push(what) });
    for await (const batch of observed.read(params(), request({ table: 'big' }), ctx())) {
      expect(batch.rows).toHaveLength(100);
      break;
    }
    expect(closed).toEqual(expect.arrayContaining(['operation', 'session']));
  });

  it('surfaces throttling mid-read as CONNECTOR-1503-503 with retryAfterMs', async () => {
    const iterator = iterate(connector.read(params(), request({ table: 'big' }), ctx()));
    await iterator.next();
    emu.injectFault({ target: 'sql', status: 429, times: 1, retryAfterSeconds: 2 });
    const error = await failure(iterator.next());
    expect(error.code).toBe('CONNECTOR-1503-503');
    expect(error.retryable).toBe(true);
    expect(error.report.retryAfterMs).toBe(2_000);
  });

  it('reports a credential revoked mid-read as CONNECTOR-1502-502 without the token', async () => {
    const iterator = iterate(
      connector.read(params({ accessToken: 'tok-doomed' }), request({ table: 'big' }), ctx()),
    );
    await iterator.next();
    emu.revokeToken('tok-doomed');
    const error = await failure(iterator.next());
    expect(error.code).toBe('CONNECTOR-1502-502');
    expect(error.message).toMatch(/rejected the credential/);
    expect(error.message).not.toContain('tok-doomed');
  });

  it('reports a starting cluster as CONNECTOR-1503-503 and an unknown table as 1340', async () => {
    const starting = await failure(
      collect(connector.read(params({ clusterId: 'c-pending' }), request({ table: 'big' }), ctx())),
    );
    expect(starting.code).toBe('CONNECTOR-1503-503');
    const missing = await failure(collect(connector.read(params(), request({ table: 'nope' }), ctx())));
    expect(missing.code).toBe('CONNECTOR-1340-404');
  });
});

describe('split reads (delta sub-windows)', () => {
  const ids = (rows: readonly Row[]): number[] => rows.map((row) => Number(row['i'])).sort((a, b) => a - b);

  it('reads every row of the window exactly once across the ranges', async () => {
    for (const window of [
      { column: 'at', start: '2024-01-01T00:00:00Z', end: '2024-01-01T01:23:20Z' },
      { column: 'at', end: '2024-01-01T00:16:40Z' },
    ]) {
      const whole = request({ table: 'big', columns: ['i'], window });
      const expected = ids(rowsOf(await collect(connector.read(params(), whole, ctx()))));
      const ranges = (await connector.splitRead?.(params(), whole, 4, ctx())) ?? [];
      expect(ranges).toHaveLength(4);
      expect(ranges[0]?.window?.start).toBe(window.start);
      expect(ranges.at(-1)?.window?.end).toBe(window.end);
      const parts = await Promise.all(
        ranges.map(async (range) => rowsOf(await collect(connector.read(params(), range, ctx())))),
      );
      for (const part of parts) expect(part.length).toBeGreaterThan(expected.length / 8);
      expect(ids(parts.flat())).toEqual(expected);
    }
  });

  it('leaves a read without a window, or of an empty window, whole', async () => {
    const unwindowed = request({ table: 'big', columns: ['i'] });
    expect(await connector.splitRead?.(params(), unwindowed, 4, ctx())).toEqual([unwindowed]);
    const empty = request({ table: 'big', window: { column: 'at', end: '2000-01-01T00:00:00Z' } });
    expect(await connector.splitRead?.(params(), empty, 4, ctx())).toEqual([empty]);
  });
});
