/**
 * Lake throughput: `node src/lake/bench.ts [rows]` writes `rows` (default 1,000,000) JS rows of ten mixed
 * columns through a batch writer, then reads them back with lake.query. Prints rows/s, MB/s (of the
 * Parquet written) and the process's peak RSS. Not a test: numbers depend on the machine.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newBatchId, newDatasetId, type DatasetSchema } from '../domain/dataset.ts';
import { openLake } from './lake.ts';

const total = Number(process.argv[2] ?? 1_000_000);
const chunk = 10_000;
const schema: DatasetSchema = {
  fields: [
    { name: 'id', type: 'long' },
    { name: 'qty', type: 'integer' },
    { name: 'name', type: 'string' },
    { name: 'score', type: 'double' },
    { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
    { name: 'at', type: 'date-time' },
    { name: 'day', type: 'date' },
    { name: 'active', type: 'boolean' },
    { name: 'tag', type: 'string' },
    {
      name: 'customer',
      type: 'object',
      fields: [
        { name: 'email', type: 'string' },
        { name: 'tier', type: 'integer' },
      ],
    },
  ],
};
const base = Date.UTC(2024, 0, 1);
const rowsFrom = (start: number, count: number): Record<string, unknown>[] =>
  Array.from({ length: count }, (_, k) => {
    const i = start + k;
    return {
      id: String(i),
      qty: i % 1000,
      name: `customer-${i}`,
      score: i / 7,
      amount: `${i % 100000}.${String(i % 100).padStart(2, '0')}`,
      at: new Date(base + i * 1000).toISOString(),
      day: '2024-03-01',
      active: i % 2 === 0,
      tag: i % 3 === 0 ? 'gold' : 'silver',
      customer: { email: `c${i}@example.com`, tier: i % 5 },
    };
  });

let peak = process.memoryUsage().rss;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const dir = mkdtempSync(join(tmpdir(), 'sluice-lake-bench-'));
const lake = await openLake(dir);
try {
  const datasetId = newDatasetId(randomBytes);
  const writer = await lake.createBatchWriter(datasetId, newBatchId(Date.now(), randomBytes), schema);
  let appendMs = 0;
  // Input volume as JSON text, estimated from the first chunk (the rows are similar in size).
  const inputMb =
    (JSON.stringify(rowsFrom(0, Math.min(chunk, total))).length * (total / Math.min(chunk, total))) / 1e6;
  const started = performance.now();
  for (let start = 0; start < total; start += chunk) {
    const rows = rowsFrom(start, Math.min(chunk, total - start));
    const before = performance.now();
    await writer.append(rows);
    appendMs += performance.now() - before;
  }
  const finishStarted = performance.now();
  const result = await writer.finish();
  const finishMs = performance.now() - finishStarted;
  const writeMs = performance.now() - started;
  const mb = result.bytes / 1e6;
  console.log(
    `write: ${total} rows in ${(writeMs / 1000).toFixed(2)} s (append ${(appendMs / 1000).toFixed(2)} s, finish ${(finishMs / 1000).toFixed(2)} s, ` +
      `rest is generating JS rows) = ${Math.round(total / (writeMs / 1000))} rows/s, ${result.files.length} file(s), ` +
      `${mb.toFixed(1)} MB Parquet; input ~${inputMb.toFixed(0)} MB as JSON = ${(inputMb / (writeMs / 1000)).toFixed(1)} MB/s ` +
      `(${(inputMb / (appendMs / 1000)).toFixed(1)} MB/s in append); peak RSS ${Math.round(peak / 1e6)} MB`,
  );

  const datasets = new Map([['bench', { files: result.files.map((file) => file.path), schema }]]);
  let queryStarted = performance.now();
  const aggregate = await lake.query(
    'SELECT count(*) AS n, sum(qty) AS qty, max("at") AS last, sum(amount) AS amount, count(DISTINCT customer.tier) AS tiers FROM dataset(\'bench\')',
    datasets,
  );
  console.log(
    `query aggregate over ${total} rows: ${(performance.now() - queryStarted).toFixed(0)} ms -> ${JSON.stringify(aggregate.rows[0])}`,
  );
  queryStarted = performance.now();
  const all = await lake.query("SELECT * FROM dataset('bench')", datasets, {
    maxRows: total,
    timeoutMs: 600_000,
  });
  const allMs = performance.now() - queryStarted;
  console.log(
    `query all rows into JS: ${all.rows.length} rows in ${(allMs / 1000).toFixed(2)} s = ${Math.round(all.rows.length / (allMs / 1000))} rows/s; peak RSS ${Math.round(
      Math.max(peak, process.memoryUsage().rss) / 1e6,
    )} MB`,
  );
} finally {
  clearInterval(sample);
  await lake.close();
  rmSync(dir, { recursive: true, force: true });
}
