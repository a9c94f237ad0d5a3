import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBatchId, newDatasetId, type DatasetSchema } from '../domain/dataset.ts';
import { AppError } from '../domain/errors.ts';
import { datasetReferences, openLake, type Lake, type QueryDataset } from './index.ts';

const schema: DatasetSchema = {
  fields: [
    { name: 'i', type: 'integer' },
    { name: 'name', type: 'string' },
  ],
};
let dir: string;
let lake: Lake;
let mine: QueryDataset;
let other: QueryDataset;

async function write(rows: Record<string, unknown>[]): Promise<QueryDataset> {
  const writer = await lake.createBatchWriter(
    newDatasetId(randomBytes),
    newBatchId(Date.now(), randomBytes),
    schema,
  );
  await writer.append(rows);
  const result = await writer.finish();
  return { files: result.files.map((file) => file.path), schema };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-query-'));
  lake = await openLake(dir);
  mine = await write(Array.from({ length: 50 }, (_, i) => ({ i, name: `n${i}` })));
  other = await write([{ i: 1, name: 'secret' }]);
  writeFileSync(join(dir, 'outside.csv'), 'a,b\n1,2\n');
});
afterAll(async () => {
  await lake.close();
  rmSync(dir, { recursive: true, force: true });
});

const q = (sql: string, options = {}) => lake.query(sql, new Map([['mine', mine]]), options);

async function refusal(sql: string): Promise<string> {
  const error: unknown = await q(sql).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, sql).toBeInstanceOf(AppError);
  return (error as AppError).message;
}

describe('lake.query', () => {
  it('runs SELECT and WITH over dataset() and returns typed columns', async () => {
    const result = await q(
      "WITH x AS (SELECT i * 2 AS d FROM dataset('mine')) SELECT count(*) AS c, max(d) AS m FROM x",
    );
    expect(result.columns).toEqual([
      { name: 'c', type: 'BIGINT' },
      { name: 'm', type: 'INTEGER' },
    ]);
    expect(result.rows).toEqual([['50', 98]]);
    expect(result.truncated).toBe(false);
  });

  it('caps rows and says so', async () => {
    const result = await q("SELECT i FROM dataset('mine') ORDER BY i", { maxRows: 7 });
    expect(result.rows).toHaveLength(7);
    expect(result.truncated).toBe(true);
  });

  it('gives an empty dataset its columns', async () => {
    const result = await lake.query(
      "SELECT * FROM dataset('empty')",
      new Map([['empty', { files: [], schema }]]),
    );
    expect(result.columns.map((column) => column.name)).toEqual(['i', 'name']);
    expect(result.rows).toEqual([]);
  });

  it.each([
    ["DELETE FROM dataset('mine')"],
    ["SELECT 1 FROM dataset('mine'); SELECT 2"],
    ["COPY (SELECT * FROM dataset('mine')) TO '/tmp/x.csv'"],
    ["ATTACH '/tmp/x.db' AS x; SELECT * FROM dataset('mine')"],
    ['INSTALL httpfs'],
    ['SET enable_external_access = true'],
    ['PRAGMA database_list'],
    ["CREATE TABLE t AS SELECT * FROM dataset('mine')"],
  ])('refuses a statement that is not a single SELECT: %s', async (sql) => {
    await refusal(sql);
  });

  it('reads no file outside the query datasets, whatever function the SQL names', async () => {
    for (const sql of [
      "SELECT * FROM dataset('mine'), read_csv('/etc/passwd')",
      `SELECT * FROM dataset('mine'), read_csv('${join(dir, 'outside.csv')}')`,
      `SELECT * FROM dataset('mine'), read_parquet('${join(dir, other.files[0] ?? '')}')`,
      `SELECT * FROM dataset('mine'), glob('${dir}/**')`,
      "SELECT * FROM dataset('mine'), read_text('/etc/hostname')",
    ]) {
      const message = await refusal(sql);
      expect(message).not.toContain('secret');
      expect(message).not.toContain(dir);
    }
  });

  it('refuses unknown datasets and SQL without dataset()', async () => {
    await expect(q("SELECT * FROM dataset('nope')")).rejects.toMatchObject({ code: 'FLOW-1439-404' });
    expect(await refusal('SELECT 1')).toMatch(/dataset\(/);
  });

  it('interrupts a query that runs past the timeout', async () => {
    const started = Date.now();
    const error: unknown = await q(
      "SELECT count(*) FROM dataset('mine'), range(100000000) a, range(100000) b",
      { timeoutMs: 200 },
    ).catch((caught: unknown) => caught);
    expect((error as AppError).message).toMatch(/longer than 200 ms/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('extracts dataset references', () => {
    expect(
      datasetReferences("select * from dataset('a') join DATASET( 'it''s' ) using (x), dataset('a')"),
    ).toEqual(['a', "it's"]);
  });
});
