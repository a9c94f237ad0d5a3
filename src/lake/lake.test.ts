import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBatchId, newDatasetId, type DatasetSchema } from '../domain/dataset.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import { openLake, ValueError, type Lake } from './index.ts';
import { lakeEngineConfig } from './lake.ts';
import { literal } from './layout.ts';
import { ROW_GROUP_ROWS } from './writer.ts';

const schema: DatasetSchema = {
  fields: [
    { name: 'id', type: 'long' },
    { name: 'n', type: 'integer' },
    { name: 'label', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
    { name: 'at', type: 'date-time' },
    { name: 'day', type: 'date' },
    { name: 'ok', type: 'boolean' },
    { name: 'raw', type: 'binary' },
    {
      name: 'person',
      type: 'object',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'address', type: 'object', fields: [{ name: 'city', type: 'string' }] },
      ],
    },
  ],
};

let dir: string;
let lake: Lake;
const ids = () => ({ dataset: newDatasetId(randomBytes), batch: newBatchId(Date.now(), randomBytes) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-lake-'));
  lake = await openLake(dir);
});
afterAll(async () => {
  await lake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('batch writer', () => {
  it('writes every type as its Parquet type and reads back the Row contract', async () => {
    const { dataset, batch } = ids();
    const writer = await lake.createBatchWriter(dataset, batch, schema);
    await writer.append([
      {
        id: '9223372036854775807',
        n: -5,
        label: 'héllo',
        score: 'Infinity',
        amount: '-1234.565',
        at: '2024-02-29T23:30:00.123456+01:00',
        day: '0099-03-01',
        ok: 'true',
        raw: 'AAEC/w==',
        person: { name: 'Ada', address: { city: 'Paris' } },
      },
      { id: 7, n: 1, amount: 0.1, at: 1_700_000_000_000, person: { name: null } },
      {},
    ]);
    const result = await writer.finish();
    expect(result.records).toBe(3);
    expect(result.files).toHaveLength(1);
    expect(result.files[0]?.path).toBe(`datasets/${dataset}/${batch}/part-00000.parquet`);
    expect(result.bytes).toBeGreaterThan(0);

    const rows = await lake.read(result.files.map((file) => file.path));
    expect(rows[0]).toEqual({
      id: '9223372036854775807',
      n: -5,
      label: 'héllo',
      score: 'Infinity',
      amount: '-1234.57',
      at: '2024-02-29T22:30:00.123456Z',
      day: '0099-03-01',
      ok: true,
      raw: 'AAEC/w==',
      person: { name: 'Ada', address: { city: 'Paris' } },
    });
    expect(rows[1]).toMatchObject({
      id: '7',
      amount: '0.10',
      at: '2023-11-14T22:13:20.000Z',
      person: { name: null, address: null },
    });
    expect(Object.values(rows[2] ?? {}).every((value) => value === null)).toBe(true);

    const typed = await lake.query(
      'SELECT typeof(id), typeof(amount), typeof("at"), typeof("day"), typeof(raw), typeof(person) FROM dataset(\'d\') LIMIT 1',
      new Map([['d', { files: result.files.map((file) => file.path), schema }]]),
    );
    expect(typed.rows[0]).toEqual([
      'BIGINT',
      'DECIMAL(12,2)',
      'TIMESTAMP WITH TIME ZONE',
      'DATE',
      'BLOB',
      'STRUCT("name" VARCHAR, address STRUCT(city VARCHAR))',
    ]);
  });

  it('refuses a bad row whole, naming row and field, and keeps the good ones', async () => {
    const { dataset, batch } = ids();
    const writer = await lake.createBatchWriter(dataset, batch, schema);
    await writer.append([{ id: '1' }]);
    const bad = [
      { id: '2', n: 2 ** 31 },
      { id: '2', amount: '12345678901.5' },
      { id: '2', at: '2023-02-29T00:00:00Z' },
      { id: '2', day: '2024-13-01' },
      { id: '99999999999999999999' },
      { id: '2', person: 'not an object' },
      { id: '2', raw: 'not base64!' },
    ];
    for (const row of bad) {
      const error: unknown = await writer.append([row]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValueError);
      expect((error as Error).message).toMatch(/^.+: row 2: /);
    }
    await writer.append([{ id: '3' }]);
    const result = await writer.finish();
    expect(result.records).toBe(2);
    expect((await lake.read(result.files.map((file) => file.path))).map((row) => row['id'])).toEqual([
      '1',
      '3',
    ]);
  });

  it('rolls to a new file at the row cap and keeps row order across files', async () => {
    const { dataset, batch } = ids();
    const writer = await lake.createBatchWriter(
      dataset,
      batch,
      { fields: [{ name: 'i', type: 'integer' }] },
      { maxRowsPerFile: 4 },
    );
    await writer.append(Array.from({ length: 10 }, (_, i) => ({ i })));
    const result = await writer.finish();
    expect(result.files.map((file) => file.records)).toEqual([4, 4, 2]);
    const rows = await lake.read(
      result.files.map((file) => file.path),
      { offset: 3, limit: 5 },
    );
    expect(rows.map((row) => row['i'])).toEqual([3, 4, 5, 6, 7]);
  });

  it('rolls to a new file at the estimated byte cap', async () => {
    const { dataset, batch } = ids();
    const writer = await lake.createBatchWriter(
      dataset,
      batch,
      { fields: [{ name: 's', type: 'string' }] },
      { maxBytesPerFile: 1000 },
    );
    await writer.append(Array.from({ length: 30 }, (_, i) => ({ s: `${i}`.padEnd(100, '.') })));
    const result = await writer.finish();
    expect(result.files.length).toBeGreaterThanOrEqual(3);
    expect(result.files.every((file) => file.records <= 10)).toBe(true);
    expect(result.files.reduce((sum, file) => sum + file.records, 0)).toBe(30);
  });

  it('writes row groups of at most ROW_GROUP_ROWS rows, in row order', async () => {
    const { dataset, batch } = ids();
    const writer = await lake.createBatchWriter(dataset, batch, { fields: [{ name: 'i', type: 'long' }] });
    const count = 2 * ROW_GROUP_ROWS + 4_040;
    await writer.append(Array.from({ length: count }, (_, i) => ({ i })));
    const [file] = (await writer.finish()).files;
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      const path = literal(join(dir, ...(file?.path ?? '').split('/')));
      const groups = await connection.runAndReadAll(
        `SELECT row_group_id, any_value(row_group_num_rows) AS n, min(stats_min) AS lo FROM parquet_metadata(${path}) GROUP BY row_group_id ORDER BY row_group_id`,
      );
      expect(groups.getRows().map(([, n, lo]) => [Number(n), String(lo)])).toEqual([
        [ROW_GROUP_ROWS, '0'],
        [ROW_GROUP_ROWS, String(ROW_GROUP_ROWS)],
        [4_040, String(2 * ROW_GROUP_ROWS)],
      ]);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('keeps files in staging until finish, and abort removes them', async () => {
    const { dataset, batch } = ids();
    const writer = await lake.createBatchWriter(
      dataset,
      batch,
      { fields: [{ name: 'i', type: 'integer' }] },
      { maxRowsPerFile: 2 },
    );
    await writer.append([{ i: 1 }, { i: 2 }, { i: 3 }]);
    expect(readdirSync(join(dir, '_staging', batch))).toEqual(['part-00000.parquet']);
    expect(existsSync(join(dir, 'datasets', dataset, batch))).toBe(false);
    await expect(lake.createBatchWriter(dataset, batch, schema)).rejects.toThrow(/already/);
    await writer.abort();
    expect(existsSync(join(dir, '_staging', batch))).toBe(false);
    await expect(writer.append([{ i: 4 }])).rejects.toThrow(/aborted/);
  });

  it('refuses paths that are not batch files', async () => {
    await expect(lake.read(['../../etc/passwd'])).rejects.toThrow(/not a lake batch file/);
    await expect(lake.read([`_staging/${ids().batch}/part-00000.parquet`])).rejects.toThrow(
      /not a lake batch file/,
    );
  });
});

describe('garbage collection', () => {
  it('removes staging dirs and uncommitted batch dirs, keeps committed ones and live writers', async () => {
    const gcDir = mkdtempSync(join(tmpdir(), 'sluice-lake-gc-'));
    const gcLake = await openLake(gcDir);
    try {
      const one = { fields: [{ name: 'i', type: 'integer' as const }] };
      const committed = ids();
      const orphan = { dataset: committed.dataset, batch: newBatchId(Date.now() + 1, randomBytes) };
      for (const target of [committed, orphan]) {
        const writer = await gcLake.createBatchWriter(target.dataset, target.batch, one);
        await writer.append([{ i: 1 }]);
        await writer.finish();
      }
      const crashed = ids().batch;
      mkdirSync(join(gcDir, '_staging', crashed), { recursive: true });
      writeFileSync(join(gcDir, '_staging', crashed, 'part-00000.parquet'), 'partial');
      const live = ids();
      const liveWriter = await gcLake.createBatchWriter(live.dataset, live.batch, one);

      const { removed } = await gcLake.garbageCollect((_dataset, batch) => batch === committed.batch);
      expect(removed.sort()).toEqual(
        [`_staging/${crashed}`, `datasets/${orphan.dataset}/${orphan.batch}`].sort(),
      );
      expect(
        existsSync(join(gcDir, 'datasets', committed.dataset, committed.batch, 'part-00000.parquet')),
      ).toBe(true);
      expect(existsSync(join(gcDir, '_staging', live.batch))).toBe(true);
      await liveWriter.abort();
    } finally {
      await gcLake.close();
      rmSync(gcDir, { recursive: true, force: true });
    }
  });
});

describe('engine settings', () => {
  it('gives DuckDB the runner memory settings, and threads and memory limit only when set', async () => {
    const read = async (config: Record<string, string>) => {
      const instance = await DuckDBInstance.create(':memory:', config);
      const connection = await instance.connect();
      try {
        const reader = await connection.runAndReadAll(
          "SELECT name, value FROM duckdb_settings() WHERE name IN ('allocator_flush_threshold', 'allocator_bulk_deallocation_flush_threshold', 'threads', 'memory_limit', 'autoload_known_extensions')",
        );
        return Object.fromEntries(reader.getRows().map(([name, value]) => [String(name), String(value)]));
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    };
    const defaults = await read({});
    const runner = await read(lakeEngineConfig({ threads: 1, memoryLimit: '256MB' }));
    expect(runner).toMatchObject({
      allocator_flush_threshold: '8.0 MiB',
      allocator_bulk_deallocation_flush_threshold: '8.0 MiB',
      threads: '1',
      memory_limit: '244.1 MiB',
      autoload_known_extensions: 'false',
    });
    // DuckDB's own defaults hold memory much longer; unset threads and limit stay DuckDB's.
    expect(defaults['allocator_flush_threshold']).toBe('128.0 MiB');
    const unset = await read(lakeEngineConfig());
    expect(unset['threads']).toBe(defaults['threads']);
    expect(unset['memory_limit']).toBe(defaults['memory_limit']);
  });
});
