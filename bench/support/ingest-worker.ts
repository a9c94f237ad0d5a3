/**
 * One measured subject of `npm run bench:ingest`, run as its own process so its peak RSS is its own:
 *
 *   node bench/support/ingest-worker.ts <subject> '<json config>'
 *
 * Subjects: `ats-raw` / `dbx-raw` (the bare SDK/driver reading the flow's window, nothing written),
 * `ats-connector` / `dbx-connector` (the connector's `read` of that window: read + normalise), and `flow`
 * (a Sluice opened on the bench's data dir runs one window of a flow: read → map → Parquet → commit).
 * Prints one JSON `Measure` line. Peak RSS is the kernel's high-water mark (VmHWM), which a sampler
 * cannot miss; the baseline is the RSS just before the measured call.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { DBSQLClient } from '@databricks/sql';
import type * as ArrowModule from 'apache-arrow' with { 'resolution-mode': 'require' };
import type { ConnectorContext, ReadableConnector, ReadRequest } from '../../src/connectors/connector.ts';
import { atsClient, type Measure } from './ingest-sources.ts';

const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;

/** The driver's Arrow batch handler behind an operation (as src/connectors/databricks/read-session.ts). */
interface ArrowSource {
  fetchNext(options: { limit: number }): Promise<{ batches: Uint8Array[]; rowCount: number }>;
  hasMore(): Promise<boolean>;
}

const MB = 2 ** 20;

function highWaterMark(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match?.[1] === undefined ? process.memoryUsage().rss : Number(match[1]) * 1024;
}

async function measure(
  subject: string,
  run: () => Promise<{ rows: number; bytes: number; extra?: Record<string, unknown> }>,
): Promise<Measure> {
  const baseline = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  let heapTotal = 0;
  let external = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    heap = Math.max(heap, usage.heapUsed);
    heapTotal = Math.max(heapTotal, usage.heapTotal);
    external = Math.max(external, usage.external);
  }, 20);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  try {
    const { rows, bytes, extra } = await run();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return {
      subject,
      rows,
      bytes,
      seconds: Number(seconds.toFixed(2)),
      baselineRssMB: Math.round(baseline / MB),
      peakRssMB: Math.round(Math.max(highWaterMark(), process.memoryUsage().rss) / MB),
      peakHeapMB: Math.round(heap / MB),
      peakHeapTotalMB: Math.round(heapTotal / MB),
      peakExternalMB: Math.round(external / MB),
      cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
      ...(extra === undefined ? {} : { extra }),
    };
  } finally {
    clearInterval(sampler);
  }
}

const context = (extraCaCerts: string[]): ConnectorContext => ({
  signal: new AbortController().signal,
  timeouts: { stageMs: 60_000, exploreMs: 60_000 },
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
    // A columnar batch is counted by its columns: its rows are made only when a consumer asks for them.
    rows += batch.columns?.length ?? batch.rows.length;
    bytes += batch.bytes;
  }
  return { rows, bytes };
}

type Config = Record<string, string>;

/**
 * `ats-raw`: the window [start of history, end) as a bare client asks for it, the end as an OData
 * predicate. `ats-raw-scan`: the requests the connector sends for that window (no predicate: read-window.ts),
 * the end checked on each entity's Timestamp here.
 */
async function atsRaw(c: Config, scan = false) {
  const client = atsClient(c['endpoint'] ?? '', c['table'] ?? '');
  const end = c['end'] ?? '';
  const queryOptions = scan ? {} : { filter: `Timestamp le datetime'${end}'` };
  let rows = 0;
  const pages = client.listEntities({ queryOptions }).byPage({ maxPageSize: 1_000 });
  for await (const page of pages) {
    if (!scan) rows += page.length;
    // Both ISO-8601 UTC instants: their text orders as their instants do (the SDK keeps 7 digits).
    else for (const entity of page) if ((entity.timestamp ?? '') < end) rows += 1;
  }
  return { rows, bytes: 0 };
}

/**
 * `dbx-raw`: the driver's rows (`fetchChunk`), what a bare client gets. `dbx-arrow`: the driver's Arrow
 * batches decoded into Arrow vectors and every buffer touched, no row made: the floor of any client.
 */
async function dbxRaw(c: Config, arrowOnly = false) {
  const client = new DBSQLClient({ logger: { log: () => undefined } });
  const url = new URL(c['url'] ?? '');
  await client.connect({
    host: url.hostname,
    port: Number(url.port),
    path: c['httpPath'] ?? '',
    token: c['token'] ?? '',
    customCaCert: readFileSync(c['caFile'] ?? ''),
    telemetryEnabled: false,
  });
  const session = await client.openSession();
  const end = (c['end'] ?? '').replace('T', ' ').replace('Z', '');
  const operation = await session.executeStatement(
    `SELECT * FROM bench.data.${c['table'] ?? ''} WHERE at < TIMESTAMP '${end}'`,
  );
  let rows = 0;
  if (arrowOnly) {
    await operation.getResultMetadata();
    const withHandler = operation as unknown as { getResultHandler(): Promise<unknown> };
    const slicer = (await withHandler.getResultHandler()) as { source: { source: ArrowSource } };
    const source = slicer.source.source;
    let touched = 0;
    while (await source.hasMore()) {
      const { batches } = await source.fetchNext({ limit: Number(c['batch']) });
      if (batches.length === 0) continue;
      for (const batch of arrow.RecordBatchReader.from(batches)) {
        rows += batch.numRows;
        for (const child of batch.data.children) touched += (child.values as ArrayLike<unknown>).length;
      }
    }
    if (touched === 0 && rows > 0) throw new Error('no Arrow buffers read');
  } else {
    do rows += (await operation.fetchChunk({ maxRows: Number(c['batch']) })).length;
    while (await operation.hasMoreRows());
  }
  await operation.close();
  await session.close();
  await client.close();
  return { rows, bytes: 0 };
}

async function connectorRead(subject: string, c: Config) {
  const window = { column: subject === 'ats-connector' ? 'Timestamp' : 'at', end: c['end'] ?? '' };
  if (subject === 'ats-connector') {
    const { createAzureTableStorage } = await import('../../src/connectors/azure-table-storage/index.ts');
    return drain(
      createAzureTableStorage({ schemaSampleSize: 1_000 }),
      { connectionString: c['connectionString'] },
      { table: c['table'] ?? '', columns: [], batchSize: Number(c['batch']), window },
      context([]),
    );
  }
  const { createDatabricks } = await import('../../src/connectors/databricks/index.ts');
  const params = { domain: c['url'], clusterId: c['clusterId'], accessToken: c['token'], database: 'data' };
  return drain(
    createDatabricks(),
    params,
    { table: `data.${c['table'] ?? ''}`, columns: [], batchSize: Number(c['batch']), window },
    context([readFileSync(c['caFile'] ?? '', 'utf8')]),
  );
}

/** Opens Sluice (excluded from the timing), then times `runNow` + `runOnce` of one flow. */
async function flow(c: Config): Promise<Measure> {
  const { loadConfig } = await import('../../src/config/config.ts');
  const { createSluice } = await import('../../src/sluice.ts');
  const env = JSON.parse(c['env'] ?? '{}') as Record<string, string>;
  const sluice = await createSluice(loadConfig(env));
  const tenant = { orgId: c['orgId'] ?? '', sandboxId: c['sandboxId'] ?? '', sandboxName: 'prod' };
  // Profiled in-process around the run only, so module loading and opening Sluice are not in it.
  const profileFile = c['profileFile'];
  const session = profileFile === undefined ? undefined : new Session();
  if (session !== undefined) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  try {
    return await measure('flow', async () => {
      const created = await sluice.runs.runNow(tenant, c['flowId'] ?? '');
      await sluice.worker.runOnce();
      const run = await sluice.runs.load(tenant, created.id);
      if (run.state !== 'success')
        throw new Error(`run ${run.id} ended ${run.state}: ${JSON.stringify(run.errors)}`);
      const counters = run.counters;
      return {
        rows: counters.outputRecords,
        bytes: counters.inputBytes,
        extra: {
          inputRecords: counters.inputRecords,
          outputBytes: counters.outputBytes,
          outputFiles: counters.outputFiles,
          // Copy = read + map + Parquet append; the rest is finish (last file) + commit transaction.
          copySeconds:
            run.copyCompletedAt === undefined || run.startedAt === undefined
              ? undefined
              : (run.copyCompletedAt - run.startedAt) / 1000,
          finishSeconds:
            run.completedAt === undefined || run.copyCompletedAt === undefined
              ? undefined
              : (run.completedAt - run.copyCompletedAt) / 1000,
        },
      };
    });
  } finally {
    if (session !== undefined && profileFile !== undefined) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
      session.disconnect();
    }
    await sluice.close();
  }
}

async function main(subject: string, config: Config): Promise<Measure> {
  switch (subject) {
    case 'ats-raw':
      return measure(subject, () => atsRaw(config));
    case 'ats-raw-scan':
      return measure(subject, () => atsRaw(config, true));
    case 'dbx-raw':
      return measure(subject, () => dbxRaw(config));
    case 'dbx-arrow':
      return measure(subject, () => dbxRaw(config, true));
    case 'ats-connector':
    case 'dbx-connector':
      return measure(subject, () => connectorRead(subject, config));
    case 'flow':
      return flow(config);
    default:
      throw new Error(`unknown subject ${subject}`);
  }
}

const result = await main(process.argv[2] ?? '', JSON.parse(process.argv[3] ?? '{}') as Config);
console.log(JSON.stringify(result));
process.exit(0);
