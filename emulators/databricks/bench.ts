/**
 * Throughput of the emulator through the real driver: reads a generated table of N rows
 * (default 1,000,000) with fetchChunk and reports startup time, rows/s and peak RSS.
 * `node emulators/databricks/bench.ts [rows] [maxRows] [column|arrow]`
 */
import { defaultFixture, startDatabricksEmulator } from './index.ts';
import { connectDriver } from './test-driver.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const maxRows = Number(process.argv[3] ?? 100_000);
const resultFormat = process.argv[4] === 'arrow' ? 'arrow' : 'column';
let peakRss = 0;
const sample = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

const t0 = performance.now();
const emulator = await startDatabricksEmulator({
  resultFormat,
  fixture: {
    ...defaultFixture,
    catalogs: [
      {
        name: 'bench',
        databases: [
          {
            name: 'data',
            tables: [
              {
                name: 'wide',
                columns: [
                  { name: 'id', type: 'BIGINT' },
                  { name: 'label', type: 'STRING' },
                  { name: 'amount', type: 'DOUBLE' },
                  { name: 'at', type: 'TIMESTAMP' },
                ],
                generate: {
                  count: rows,
                  select: "i, 'label-' || i, i * 0.5, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND",
                },
              },
            ],
          },
        ],
      },
    ],
  },
});
const started = performance.now() - t0;
const rssAfterLoad = process.memoryUsage().rss;
const conn = await connectDriver(emulator);
const t1 = performance.now();
const operation = await conn.session.executeStatement('SELECT * FROM bench.data.wide');
let count = 0;
do {
  const chunk = await operation.fetchChunk({ maxRows });
  count += chunk.length;
} while (await operation.hasMoreRows());
await operation.close();
const seconds = (performance.now() - t1) / 1000;
await conn.close();
await emulator.stop();
clearInterval(sample);
console.log(
  JSON.stringify({
    resultFormat,
    startupMsIncludingLoad: Math.round(started),
    rows: count,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(count / seconds),
    fetchCalls: emulator.stats.fetchCalls,
    rssAfterLoadMB: Math.round(rssAfterLoad / 2 ** 20),
    peakRssMB: Math.round(peakRss / 2 ** 20),
  }),
);
