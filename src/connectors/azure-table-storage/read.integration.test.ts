import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { azuriteConnectionString, azuriteEndpoint, uniqueTableName } from '../../../test/support/azurite.ts';
import { AppError } from '../../domain/errors.ts';
import type { FilterNode, ReadRequest, RecordBatch, Row } from '../connector.ts';
import { parseFilter } from '../filter.ts';
import { createAzureTableStorage } from './index.ts';
import { AZURITE_KEY, PEOPLE, seedNumbered, seedTable, tableClient, testContext } from './test-fixture.ts';

const people = uniqueTableName('people');
const numbered = uniqueTableName('numbered');
const stamps = uniqueTableName('stamps');
const params = () => ({ connectionString: azuriteConnectionString() });
const connector = createAzureTableStorage({ schemaSampleSize: 1_000 });
const pql = (node: unknown): FilterNode => parseFilter(node);

const iterate = (batches: AsyncIterable<RecordBatch>): AsyncIterator<RecordBatch> =>
  batches[Symbol.asyncIterator]();

async function collect(batches: AsyncIterable<RecordBatch>): Promise<RecordBatch[]> {
  const all: RecordBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all;
}
const rowsOf = (batches: readonly RecordBatch[]): Row[] => batches.flatMap((b) => b.rows);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

const request = (overrides: Partial<ReadRequest> & { table: string }): ReadRequest => ({
  columns: [],
  batchSize: 100,
  ...overrides,
});

// Sub-millisecond DateTimes (Azure keeps 100 ns) around a window [000.000123, 000.000500).
const STAMPED: [string, string][] = [
  ['a', '2024-05-01T10:00:00.0001229Z'], // 0.1 µs before start: out
  ['b', '2024-05-01T10:00:00.0001230Z'], // exactly start: in
  ['c', '2024-05-01T10:00:00.0001231Z'], // in
  ['d', '2024-05-01T10:00:00.0004999Z'], // in
  ['e', '2024-05-01T10:00:00.0005000Z'], // exactly end: out
  ['f', '2024-05-01T10:00:00.0005001Z'], // out
  ['g', '2024-05-01T09:59:59.9991230Z'], // 1 ms before start: out
  ['h', '2024-05-01T10:00:00.0010000Z'], // 1 ms after the end's millisecond: out
];

beforeAll(async () => {
  await seedTable(azuriteEndpoint(), people, PEOPLE);
  await seedNumbered(azuriteEndpoint(), numbered, 1_500);
  await seedTable(
    azuriteEndpoint(),
    stamps,
    STAMPED.map(([rowKey, at], i) => ({
      partitionKey: 'p',
      rowKey,
      at: { value: at, type: 'DateTime' },
      n: i,
    })),
  );
  // One entity without the delta property: never in a window.
  await tableClient(azuriteEndpoint(), stamps).createEntity({ partitionKey: 'p', rowKey: 'z', n: 99 });
}, 60_000);

describe('planRead', () => {
  it('returns the inferred schema and the entity keys', async () => {
    const plan = await connector.planRead(params(), people, testContext());
    expect(plan.keyColumns).toEqual(['PartitionKey', 'RowKey']);
    expect(plan.columns).toEqual(await connector.describeTable(params(), people, testContext()));
  });
});

describe('read', () => {
  it('streams every entity in batches of at most batchSize, values identical to preview', async () => {
    const batches = await collect(
      connector.read(params(), request({ table: people, batchSize: 3 }), testContext()),
    );
    expect(batches.every((b) => b.rows.length > 0 && b.rows.length <= 3)).toBe(true);
    expect(batches.every((b) => b.bytes > 0)).toBe(true);
    const preview = await connector.preview(params(), { table: people, count: 100 }, testContext());
    expect(rowsOf(batches)).toEqual(preview.rows);
    expect(rowsOf(batches).find((r) => r.RowKey === '001')).toMatchObject({
      big: '9007199254740993',
      joined: '2024-02-29T12:34:56.123456Z',
      blob: 'AAEC/w==',
      mixed: '5',
    });
  });

  it('returns the keys plus the requested columns only', async () => {
    const rows = rowsOf(
      await collect(connector.read(params(), request({ table: people, columns: ['age'] }), testContext())),
    );
    expect(rows).toHaveLength(PEOPLE.length);
    expect(rows[0]).toEqual({ PartitionKey: 'p1', RowKey: '001', age: 25 });
  });

  it('honours the half-open window exactly at sub-millisecond boundaries', async () => {
    const window = { column: 'at', start: '2024-05-01T10:00:00.000123Z', end: '2024-05-01T10:00:00.0005Z' };
    const rows = rowsOf(
      await collect(
        connector.read(params(), request({ table: stamps, columns: ['at'], window }), testContext()),
      ),
    );
    expect(rows.map((r) => r.RowKey).sort()).toEqual(['b', 'c', 'd']);
    expect(rows.find((r) => r.RowKey === 'b')?.at).toBe('2024-05-01T10:00:00.000123Z');
    const open = rowsOf(
      await collect(
        connector.read(
          params(),
          request({ table: stamps, window: { column: 'at', end: window.end } }),
          testContext(),
        ),
      ),
    );
    expect(open.map((r) => r.RowKey).sort()).toEqual(['a', 'b', 'c', 'd', 'g']);
  });

  it('pushes a Timestamp window down and keeps exactly the rows inside it', async () => {
    const all = rowsOf(await collect(connector.read(params(), request({ table: numbered }), testContext())));
    const times = [...new Set(all.map((r) => String(r.Timestamp)))].sort();
    expect(times.length).toBeGreaterThan(2);
    const start = times[1] ?? '';
    const end = times[times.length - 1] ?? '';
    const inside = all.filter((r) => String(r.Timestamp) >= start && String(r.Timestamp) < end);
    const rows = rowsOf(
      await collect(
        connector.read(
          params(),
          request({ table: numbered, window: { column: 'Timestamp', start, end } }),
          testContext(),
        ),
      ),
    );
    expect(rows.map((r) => r.RowKey).sort()).toEqual(inside.map((r) => r.RowKey).sort());
    expect(rows.length).toBeGreaterThan(0);
  });

  it('ANDs the source filter with the window', async () => {
    const window = { column: 'at', start: '2024-05-01T00:00:00Z', end: '2024-05-02T00:00:00Z' };
    const filter = pql({
      nodeType: 'fnApply',
      fnName: '>=',
      params: [
        { nodeType: 'fieldLookup', fieldName: 'n' },
        { nodeType: 'literal', value: 3 },
      ],
    });
    const rows = rowsOf(
      await collect(connector.read(params(), request({ table: stamps, window, filter }), testContext())),
    );
    expect(rows.map((r) => r.RowKey).sort()).toEqual(['d', 'e', 'f', 'g', 'h']);
  });

  it('reads lazily: one page per pulled batch, at most one page ahead from the second pull', async () => {
    let served = 0;
    const lazy = createAzureTableStorage({ schemaSampleSize: 50 }, { onEntityPage: (n) => (served += n) });
    const iterator = iterate(
      lazy.read(params(), request({ table: numbered, batchSize: 100 }), testContext()),
    );
    // `served` settles at `expected` and stays there while nobody pulls.
    const settlesAt = async (expected: number): Promise<void> => {
      await vi.waitFor(
        () => {
          expect(served).toBe(expected);
        },
        { timeout: 5_000 },
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(served).toBe(expected);
    };
    expect((await iterator.next()).done).toBe(false);
    // The schema sample (50) and the first page of 100: nothing read ahead for a first batch (a preview).
    await settlesAt(50 + 100);
    await iterator.next();
    // The second page, and the third requested while the second is consumed; nothing beyond it.
    await settlesAt(50 + 3 * 100);
    expect((await iterator.next()).value?.rows[0]?.['RowKey']).toBeDefined();
    await settlesAt(50 + 4 * 100);
    await iterator.return?.();
  });

  it('stops when the signal aborts, before or during a pull', async () => {
    let pages = 0;
    const counted = createAzureTableStorage({ schemaSampleSize: 50 }, { onEntityPage: () => pages++ });
    const controller = new AbortController();
    const iterator = iterate(
      counted.read(
        params(),
        request({ table: numbered, batchSize: 100 }),
        testContext({ signal: controller.signal }),
      ),
    );
    await iterator.next();
    const pending = iterator.next();
    controller.abort(new Error('run cancelled'));
    const error = await rejection(pending);
    expect((error as Error).message).toBe('run cancelled');
    const seen = pages;
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(pages).toBe(seen);
  });

  it('names a rejected credential without the key (CONNECTOR-1502-502)', async () => {
    const wrongKey = Buffer.alloc(64, 7).toString('base64');
    const error = await rejection(
      collect(
        connector.read(
          { connectionString: azuriteConnectionString(wrongKey) },
          request({ table: people }),
          testContext(),
        ),
      ),
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONNECTOR-1502-502');
    expect((error as AppError).message).toMatch(/rejected the credential/);
    expect((error as AppError).message).not.toContain(wrongKey);
    expect((error as AppError).message).not.toContain(AZURITE_KEY);
  });

  it('rejects a delta column the table does not have', async () => {
    const error = await rejection(
      collect(
        connector.read(
          params(),
          request({ table: people, window: { column: 'nope', end: '2030-01-01T00:00:00Z' } }),
          testContext(),
        ),
      ),
    );
    expect((error as AppError).code).toBe('CONNECTOR-1312-400');
  });
});

describe('read through a faulty network', () => {
  // A proxy in front of Azurite: after `okRequests` requests it answers 429 or drops the connection.
  let server: Server;
  let mode: 'pass' | 'throttle' | 'drop' = 'pass';
  let okRequests = 0;
  beforeAll(async () => {
    const target = new URL(azuriteEndpoint());
    server = createServer((req, res) => {
      if (mode !== 'pass' && okRequests-- <= 0) {
        if (mode === 'drop') {
          req.socket.destroy();
          return;
        }
        res.writeHead(429, { 'retry-after-ms': '20', 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ 'odata.error': { code: 'TooManyRequests', message: { value: 'slow down' } } }),
        );
        return;
      }
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  const proxied = () => ({
    connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${(server.address() as AddressInfo).port}/devstoreaccount1`,
  });

  it('surfaces throttling mid-read as CONNECTOR-1503-503 with retryAfterMs', async () => {
    mode = 'throttle';
    okRequests = 2; // the schema sample and the first page
    const iterator = iterate(connector.read(proxied(), request({ table: numbered }), testContext()));
    expect((await iterator.next()).value?.rows).toHaveLength(100);
    const error = await rejection(iterator.next());
    mode = 'pass';
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONNECTOR-1503-503');
    expect((error as AppError).retryable).toBe(true);
    expect((error as AppError).report.retryAfterMs).toBe(20);
  });

  it('surfaces a dropped connection mid-read as a retryable source error', async () => {
    mode = 'drop';
    okRequests = 2;
    const iterator = iterate(connector.read(proxied(), request({ table: numbered }), testContext()));
    await iterator.next();
    const error = await rejection(iterator.next());
    mode = 'pass';
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('CONNECTOR-1502-502');
    expect((error as AppError).retryable).toBe(true);
    expect((error as AppError).message).toMatch(/Could not reach .* while reading table/);
  });
});

describe('split reads (PartitionKey ranges)', () => {
  const parts = uniqueTableName('parts');
  const KEYS = [
    ...Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(3, '0')}`),
    "k01'x",
    'k02東京',
  ];

  beforeAll(async () => {
    const client = tableClient(azuriteEndpoint(), parts);
    await client.createTable();
    for (const partitionKey of KEYS) {
      await client.submitTransaction(
        Array.from({ length: 10 }, (_, n) => ['create', { partitionKey, rowKey: String(n), n }] as const).map(
          ([kind, entity]) => [kind, entity],
        ),
      );
    }
  });

  const keyOf = (row: Row): string => `${String(row['PartitionKey'])}/${String(row['RowKey'])}`;

  it('reads every entity exactly once across the ranges, with and without a window', async () => {
    const whole = request({ table: parts });
    const all = rowsOf(await collect(connector.read(params(), whole, testContext())))
      .map(keyOf)
      .sort();
    expect(all).toHaveLength(KEYS.length * 10);
    const ranges = await connector.splitRead?.(params(), whole, 4, testContext());
    expect(ranges?.length).toBe(4);
    const split: string[] = [];
    for (const range of ranges ?? []) {
      const rows = rowsOf(await collect(connector.read(params(), range, testContext())));
      // Sequential keys make even ranges: none holds more than half of the table.
      expect(rows.length).toBeLessThan(all.length / 2);
      split.push(...rows.map(keyOf));
    }
    expect(split.sort()).toEqual(all);

    const window = { column: 'Timestamp', end: new Date(Date.now() + 60_000).toISOString() };
    const windowed = await connector.splitRead?.(
      params(),
      request({ table: parts, window }),
      3,
      testContext(),
    );
    const inWindow: string[] = [];
    for (const range of windowed ?? []) {
      expect(range.window).toEqual(window);
      inWindow.push(...rowsOf(await collect(connector.read(params(), range, testContext()))).map(keyOf));
    }
    expect(inWindow.sort()).toEqual(all);
  });

  it('does not split a table of one partition', async () => {
    const whole = request({ table: numbered });
    expect(await connector.splitRead?.(params(), whole, 4, testContext())).toEqual([whole]);
  });
});
