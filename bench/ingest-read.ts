/**
 * Read throughput of flow runs: the connectors' `read` (normalised RecordBatches) against a raw read of
 * the same table with the bare SDK/driver, for Azure Table Storage (Azurite) and Databricks (the emulator).
 *
 *   node bench/ingest-read.ts [--ats-entities 200000] [--dbx-rows 1000000] [--dbx-batch 10000]
 *                             [--heap-limit-mb 64]   (proves reads are bounded: workers get that old space)
 *
 * Each measured read runs in its own child process, so its peak RSS is its own (Azurite and the
 * emulator run in further child processes and are not counted). Prints one JSON line per read, then a
 * summary table. The next issue's `bench:ingest` builds on this (read → map → Parquet).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AzureNamedKeyCredential, TableClient, type TransactionAction } from '@azure/data-tables';
import { DBSQLClient } from '@databricks/sql';
import type { ConnectorContext, ReadRequest, ReadableConnector } from '../src/connectors/connector.ts';
import { startAzurite } from '../test/support/global-setup.ts';

const ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development key (public, documented by Microsoft).
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const ATS_TABLE = 'benchread';
const WHOLE_HISTORY = { start: '2000-01-01T00:00:00Z', end: '2100-01-01T00:00:00Z' };

interface Measure {
  readonly subject: string;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly baselineRssMB: number;
  readonly peakRssMB: number;
  /** Peak V8 heap in use: what the read itself holds, unlike RSS, which keeps freed pages. */
  readonly peakHeapMB: number;
}

// ---------------------------------------------------------------- worker (one measured read)

async function measure(subject: string, run: () => Promise<{ rows: number; bytes: number }>): Promise<void> {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let heap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    peak = Math.max(peak, usage.rss);
    heap = Math.max(heap, usage.heapUsed);
  }, 20);
  const t0 = performance.now();
  const { rows, bytes } = await run();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const result: Measure = {
    subject,
    rows,
    bytes,
    seconds: Number(seconds.toFixed(2)),
    baselineRssMB: Math.round(baseline / 2 ** 20),
    peakRssMB: Math.round(peak / 2 ** 20),
    peakHeapMB: Math.round(heap / 2 ** 20),
  };
  console.log(JSON.stringify(result));
}

const context = (extraCaCerts: string[]): ConnectorContext => ({
  signal: new AbortController().signal,
  timeouts: { stageMs: 30_000, exploreMs: 60_000 },
  egress: { assertAllowed: () => Promise.resolve() },
  extraCaCerts,
});

async function drain(
  connector: ReadableConnector,
  params: Record<string, unknown>,
  request: ReadRequest,
  ctx: ConnectorContext,
) {
  let rows = 0;
  let bytes = 0;
  for await (const batch of connector.read(params, request, ctx)) {
    rows += batch.columns?.length ?? batch.rows.length;
    bytes += batch.bytes;
  }
  return { rows, bytes };
}

async function worker(subject: string, config: Record<string, string>): Promise<void> {
  switch (subject) {
    case 'ats-connector':
    case 'ats-connector-window': {
      const { createAzureTableStorage } = await import('../src/connectors/azure-table-storage/index.ts');
      const connector = createAzureTableStorage({ schemaSampleSize: 1_000 });
      const window =
        subject === 'ats-connector-window' ? { window: { column: 'Timestamp', ...WHOLE_HISTORY } } : {};
      await measure(subject, () =>
        drain(
          connector,
          { connectionString: config.connectionString },
          { table: ATS_TABLE, columns: [], batchSize: 1_000, ...window },
          context([]),
        ),
      );
      return;
    }
    case 'ats-raw':
      await measure(subject, async () => {
        const client = new TableClient(
          config.endpoint ?? '',
          ATS_TABLE,
          new AzureNamedKeyCredential(ACCOUNT, KEY),
          {
            allowInsecureConnection: true,
          },
        );
        let rows = 0;
        for await (const page of client.listEntities().byPage({ maxPageSize: 1_000 })) rows += page.length;
        return { rows, bytes: 0 };
      });
      return;
    case 'dbx-connector': {
      const { createDatabricks } = await import('../src/connectors/databricks/index.ts');
      const params = {
        domain: config.url,
        clusterId: config.clusterId,
        accessToken: config.token,
        database: 'data',
      };
      const request: ReadRequest = {
        table: 'data.wide',
        columns: [],
        batchSize: Number(config.batch),
        window: { column: 'at', ...WHOLE_HISTORY },
      };
      await measure(subject, () =>
        drain(createDatabricks(), params, request, context([readFileSync(config.caFile ?? '', 'utf8')])),
      );
      return;
    }
    case 'dbx-raw':
      await measure(subject, async () => {
        const client = new DBSQLClient({ logger: { log: () => undefined } });
        const url = new URL(config.url ?? '');
        await client.connect({
          host: url.hostname,
          port: Number(url.port),
          path: config.httpPath ?? '',
          token: config.token ?? '',
          customCaCert: readFileSync(config.caFile ?? ''),
          telemetryEnabled: false,
        });
        const session = await client.openSession();
        const operation = await session.executeStatement('SELECT * FROM bench.data.wide');
        let rows = 0;
        do rows += (await operation.fetchChunk({ maxRows: Number(config.batch) })).length;
        while (await operation.hasMoreRows());
        await operation.close();
        await session.close();
        await client.close();
        return { rows, bytes: 0 };
      });
      return;
    default:
      throw new Error(`unknown subject ${subject}`);
  }
}

// ---------------------------------------------------------------- parent (setup, children, summary)

function runChild(
  args: string[],
  onLine?: (line: string) => void,
): { done: Promise<string>; kill: () => void } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') onLine?.(line);
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0 || code === null) resolve(out);
      else reject(new Error(`${args.join(' ')} exited ${String(code)}`));
    });
  });
  return { done, kill: () => child.kill('SIGTERM') };
}

/** `--heap-limit-mb` caps each worker's V8 old space: a read that held the whole table would crash. */
let workerFlags: string[] = [];

async function runWorker(subject: string, config: Record<string, string>): Promise<Measure> {
  const out = await runChild([
    ...workerFlags,
    import.meta.filename,
    'worker',
    subject,
    JSON.stringify(config),
  ]).done;
  const line = out.trim().split('\n').at(-1) ?? '{}';
  console.log(line);
  return JSON.parse(line) as Measure;
}

async function loadAzurite(endpoint: string, count: number): Promise<number> {
  const client = new TableClient(endpoint, ATS_TABLE, new AzureNamedKeyCredential(ACCOUNT, KEY), {
    allowInsecureConnection: true,
  });
  await client.createTable();
  const t0 = performance.now();
  const perPartition = 1_000;
  const batches: TransactionAction[][] = [];
  for (let start = 0; start < count; start += 100) {
    const actions: TransactionAction[] = [];
    for (let n = start; n < Math.min(count, start + 100); n++) {
      actions.push([
        'create',
        {
          partitionKey: `p${String(Math.floor(n / perPartition)).padStart(4, '0')}`,
          rowKey: String(n).padStart(9, '0'),
          name: `customer ${n}`,
          age: n % 97,
          big: { value: String(9_007_199_254_740_993n + BigInt(n)), type: 'Int64' },
          score: n / 7,
          active: n % 3 === 0,
          joined: { value: new Date(Date.UTC(2024, 0, 1) + n * 1_000).toISOString(), type: 'DateTime' },
          id: { value: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'Guid' },
          city: ['Zürich', 'Oslo', '東京', 'Lima'][n % 4] ?? '',
          note: `a note of moderate length for entity ${n}`,
        },
      ]);
    }
    batches.push(actions);
  }
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < batches.length) {
      const actions = batches[next++];
      if (actions !== undefined) await client.submitTransaction(actions);
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return (performance.now() - t0) / 1000;
}

async function startEmulator(rows: number, dir: string) {
  const fixture = {
    workspaceId: '0',
    tokens: ['dapi-bench'],
    clusters: [{ id: 'bench-cluster', name: 'bench', state: 'RUNNING', kind: 'interactive' }],
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
                  { name: 'name', type: 'STRING' },
                  { name: 'qty', type: 'INT' },
                  { name: 'amount', type: 'DECIMAL(12,2)' },
                  { name: 'score', type: 'DOUBLE' },
                  { name: 'active', type: 'BOOLEAN' },
                  { name: 'day', type: 'DATE' },
                  { name: 'at', type: 'TIMESTAMP' },
                  { name: 'code', type: 'STRING' },
                  { name: 'small', type: 'SMALLINT' },
                ],
                generate: {
                  count: rows,
                  select:
                    "i, 'customer ' || i, (i % 1000)::INT, (i * 0.01)::DECIMAL(12,2), i / 7.0, i % 3 = 0, DATE '2024-01-01' + (i % 365)::INT, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND, 'C' || (i % 9973), (i % 30000)::SMALLINT",
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const fixtureFile = join(dir, 'fixture.json');
  writeFileSync(fixtureFile, JSON.stringify(fixture));
  const info: Record<string, string> = {};
  let ready: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const child = runChild(
    ['emulators/databricks/main.ts', '--port', '0', '--fixture', fixtureFile, '--dir', dir],
    (line) => {
      const m = /^\s+(url|token|cluster id|http path|CA file)\s+(\S+)/.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined) info[m[1]] = m[2];
      if (m?.[1] === 'CA file') ready();
    },
  );
  await listening;
  return { info, stop: child.kill, exited: child.done };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'ats-entities': { type: 'string', default: '200000' },
      'dbx-rows': { type: 'string', default: '1000000' },
      'dbx-batch': { type: 'string', default: '10000' },
      'heap-limit-mb': { type: 'string' },
    },
  });
  if (values['heap-limit-mb'] !== undefined)
    workerFlags = [`--max-old-space-size=${String(Number(values['heap-limit-mb']))}`];
  const entities = Number(values['ats-entities']);
  const dbxRows = Number(values['dbx-rows']);
  const results: Measure[] = [];

  const azurite = await startAzurite();
  const endpoint = `http://127.0.0.1:${azurite.port}/${ACCOUNT}`;
  try {
    const loadSeconds = await loadAzurite(endpoint, entities);
    console.log(
      JSON.stringify({
        setup: 'azurite-load',
        entities,
        seconds: Number(loadSeconds.toFixed(1)),
        perSecond: Math.round(entities / loadSeconds),
      }),
    );
    const connectionString = `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=${endpoint};`;
    for (const subject of ['ats-raw', 'ats-connector', 'ats-connector-window'])
      results.push(await runWorker(subject, { endpoint, connectionString }));
  } finally {
    await azurite.stop();
  }

  const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-read-'));
  const t0 = performance.now();
  const emulator = await startEmulator(dbxRows, dir);
  console.log(
    JSON.stringify({
      setup: 'emulator-start',
      rows: dbxRows,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
    }),
  );
  try {
    const config = {
      url: emulator.info.url ?? '',
      token: emulator.info.token ?? '',
      clusterId: emulator.info['cluster id'] ?? '',
      httpPath: emulator.info['http path'] ?? '',
      caFile: emulator.info['CA file'] ?? '',
      batch: values['dbx-batch'],
    };
    for (const subject of ['dbx-raw', 'dbx-connector']) results.push(await runWorker(subject, config));
  } finally {
    emulator.stop();
    await emulator.exited.catch(() => undefined);
  }

  const byName = new Map(results.map((r) => [r.subject, r]));
  console.log(
    '\nsubject                rows        s     rows/s     MB/s  rss base→peak MB  heap MB  vs raw',
  );
  for (const r of results) {
    const raw = byName.get(r.subject.startsWith('ats') ? 'ats-raw' : 'dbx-raw');
    const perSecond = r.rows / r.seconds;
    const mbps = r.bytes === 0 ? '-' : (r.bytes / 2 ** 20 / r.seconds).toFixed(1);
    const ratio = raw === undefined || r === raw ? '' : `${((raw.seconds / r.seconds) * 100).toFixed(0)}%`;
    console.log(
      `${r.subject.padEnd(22)} ${String(r.rows).padStart(8)} ${r.seconds.toFixed(2).padStart(8)} ${String(Math.round(perSecond)).padStart(10)} ${mbps.padStart(8)}  ${`${r.baselineRssMB}→${r.peakRssMB}`.padStart(16)}  ${String(r.peakHeapMB).padStart(7)}  ${ratio}`,
    );
  }
}

if (process.argv[2] === 'worker') {
  await worker(process.argv[3] ?? '', JSON.parse(process.argv[4] ?? '{}') as Record<string, string>);
  process.exit(0);
} else {
  await main();
}
