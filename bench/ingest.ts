/**
 * `npm run bench:ingest` — end-to-end ingestion throughput of flow runs against a raw read of the same
 * window with the same SDK/driver, for Azure Table Storage (Azurite) and Databricks (the emulator).
 *
 *   node bench/ingest.ts [--quick] [--ats-entities 200000] [--dbx-rows 1000000]
 *                        [--read-batch 10000[,50000…]] [--no-profile] [--rtt 50 [--parallelism 1,2,4,8]]
 *                        [--dbx-format arrow|column]
 *
 * For each source and for two table sizes (full and half) it measures, each in its own process:
 * `raw` (bare SDK/driver, nothing written), `connector` (Sluice's connector read: read + normalise) and
 * `flow` (a Sluice opened on the bench's data dir runs the flow's first window: read → map → Parquet →
 * one commit transaction). Peak RSS is the flow process's VmHWM; the sources run in other processes.
 * MB/s is over the connector's byte estimate of the rows read (the same figure for raw and flow).
 * Extra `--read-batch` values run more Databricks flows at full size (ATS pages are at most 1,000).
 * A further flow per source (half size) runs under the V8 sampling profiler (the run only) and its
 * profile is summarised by stage; set SLUICE_BENCH_KEEP=1 to keep the data dir and the .cpuprofile files.
 * `--rtt <ms>` adds a parallel-read sweep at full size: both sources behind a loopback proxy that adds that
 * round-trip time to every request (bench/support/latency-proxy.ts), the raw single-stream read through
 * it, then flows with `options.parallelism` at each `--parallelism` value; speedups are over that raw read.
 * Each line of the sweep also prints the subject's CPU seconds and the source process's (Azurite's or the
 * emulator's) CPU seconds over the same time: the two share this machine's cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAzurite } from '../test/support/global-setup.ts';
import { summariseProfile } from './support/ingest-profile.ts';
import { startLatencyProxy } from './support/latency-proxy.ts';
import { createBenchFlows, type FlowTarget } from './support/ingest-setup.ts';
import {
  atsConnectionString,
  loadAzurite,
  processCpuSeconds,
  runChild,
  startEmulator,
  type Measure,
} from './support/ingest-sources.ts';

const WORKER = join(import.meta.dirname, 'support', 'ingest-worker.ts');
// A flow runs with the memory settings of a Sluice worker: `npm start`'s young-generation cap and the heap
// growth bound that src/cli/process.ts sets from SLUICE_RUN_HEAP_GROWTH_PERCENT (default 50).
const RUNNER_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=50'];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'ats-entities': { type: 'string' },
    'dbx-rows': { type: 'string' },
    'read-batch': { type: 'string', default: '10000' },
    'no-profile': { type: 'boolean', default: false },
    rtt: { type: 'string', default: '0' },
    parallelism: { type: 'string', default: '1,2,4,8' },
    'dbx-format': { type: 'string', default: 'arrow' },
  },
});
const rttMs = Number(values.rtt);
const sweep = values.parallelism.split(',').map(Number);
const atsFull = Number(values['ats-entities'] ?? (values.quick ? 20_000 : 200_000));
const dbxFull = Number(values['dbx-rows'] ?? (values.quick ? 100_000 : 1_000_000));
const batches = values['read-batch'].split(',').map(Number);
const firstBatch = batches[0] ?? 10_000;
const profile = !values['no-profile'];
const dbxFormat = values['dbx-format'] === 'column' ? 'column' : 'arrow';

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-ingest-'));
const cleanups: (() => Promise<void>)[] = [
  () => {
    if (process.env['SLUICE_BENCH_KEEP'] === '1') console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    return Promise.resolve();
  },
];
const results: Measure[] = [];
const log = (fields: Record<string, unknown>): void => {
  console.log(JSON.stringify(fields));
};

async function worker(subject: string, config: Record<string, string>): Promise<Measure> {
  // A flow runs in a Sluice process as `npm start` starts it (its V8 young generation capped at 8 MB).
  const flags = subject === 'flow' ? RUNNER_FLAGS : [];
  const out = await runChild([...flags, WORKER, subject, JSON.stringify(config)]).done;
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as Measure;
}

async function main(): Promise<void> {
  // ---------------------------------------------------------------- sources
  const azurite = await startAzurite();
  cleanups.unshift(azurite.stop);
  const endpoint = `http://127.0.0.1:${azurite.port}/devstoreaccount1`;
  const atsTables = {
    full: { name: 'ingestfull', rows: atsFull },
    half: { name: 'ingesthalf', rows: atsFull / 2 },
  };
  for (const table of Object.values(atsTables)) {
    const seconds = await loadAzurite(endpoint, table.name, table.rows);
    log({
      setup: 'azurite-load',
      table: table.name,
      entities: table.rows,
      seconds: Number(seconds.toFixed(1)),
    });
  }
  const t0 = performance.now();
  const dbxTables = { full: { name: 'wide', rows: dbxFull }, half: { name: 'half', rows: dbxFull / 2 } };
  const emulator = await startEmulator(dir, Object.values(dbxTables), dbxFormat);
  cleanups.unshift(emulator.stop);
  log({ setup: 'emulator-start', seconds: Number(((performance.now() - t0) / 1000).toFixed(1)) });

  // ---------------------------------------------------------------- flows
  const targets: FlowTarget[] = [
    { key: 'ats-full', source: 'ats', table: atsTables.full.name },
    { key: 'ats-half', source: 'ats', table: atsTables.half.name },
    { key: 'dbx-half', source: 'dbx', table: dbxTables.half.name },
    ...batches.map((b): FlowTarget => ({ key: `dbx-full-${b}`, source: 'dbx', table: dbxTables.full.name })),
    ...(profile
      ? [
          { key: 'ats-profile', source: 'ats', table: atsTables.half.name } as const,
          { key: 'dbx-profile', source: 'dbx', table: dbxTables.half.name } as const,
        ]
      : []),
  ];
  const baseEnv = {
    SLUICE_DATA_DIR: join(dir, 'sluice'),
    SLUICE_EXTRA_CA_CERTS: emulator.info.caFile,
    SLUICE_RUN_SAFETY_LAG_MS: '0',
    SLUICE_RUN_LEASE_MS: '600000',
    SLUICE_RUN_HEARTBEAT_MS: '60000',
  };
  const connectionString = atsConnectionString(endpoint);
  const bench = await createBenchFlows(
    { ...baseEnv, SLUICE_RUN_READ_BATCH_SIZE: String(firstBatch) },
    { ats: { connectionString }, dbx: emulator.info },
    targets,
  );
  const runFlow = async (
    key: string,
    batch: number,
    profileFile?: string,
    flows: typeof bench = bench,
  ): Promise<Measure> => {
    const measured = await worker('flow', {
      env: JSON.stringify({ ...baseEnv, SLUICE_RUN_READ_BATCH_SIZE: String(batch) }),
      orgId: flows.orgId,
      sandboxId: flows.sandboxId,
      flowId: flows.flows.get(key) ?? '',
      ...(profileFile === undefined ? {} : { profileFile }),
    });
    return { ...measured, subject: `${key.replace(/-\d+$/, '')} flow (batch ${batch})` };
  };

  // ---------------------------------------------------------------- measurements
  for (const size of ['full', 'half'] as const) {
    const ats = { endpoint, connectionString, table: atsTables[size].name, batch: '1000' };
    for (const subject of ['ats-raw', 'ats-raw-scan', 'ats-connector'] as const) {
      const measured = await worker(subject, { ...ats, end: new Date().toISOString() });
      results.push({ ...measured, subject: `ats-${size} ${subject.slice(4)}` });
      log(results.at(-1) as unknown as Record<string, unknown>);
    }
    results.push(await runFlow(`ats-${size}`, 1000));
    log(results.at(-1) as unknown as Record<string, unknown>);
  }
  for (const size of ['full', 'half'] as const) {
    const dbx = { ...emulator.info, table: dbxTables[size].name, batch: String(firstBatch) };
    for (const subject of ['dbx-raw', 'dbx-arrow', 'dbx-connector'] as const) {
      const measured = await worker(subject, { ...dbx, end: new Date().toISOString() });
      results.push({ ...measured, subject: `dbx-${size} ${subject.slice(4)}` });
      log(results.at(-1) as unknown as Record<string, unknown>);
    }
    for (const batch of size === 'full' ? batches : [firstBatch]) {
      results.push(await runFlow(size === 'full' ? `dbx-full-${batch}` : 'dbx-half', batch));
      log(results.at(-1) as unknown as Record<string, unknown>);
    }
  }
  printSummary();

  if (rttMs > 0) {
    const atsProxy = await startLatencyProxy({ host: '127.0.0.1', port: azurite.port }, rttMs);
    const dbxUrl = new URL(emulator.info.url);
    const dbxProxy = await startLatencyProxy({ host: dbxUrl.hostname, port: Number(dbxUrl.port) }, rttMs);
    cleanups.unshift(
      () => atsProxy.close(),
      () => dbxProxy.close(),
    );
    const slowEndpoint = `http://127.0.0.1:${atsProxy.port}/devstoreaccount1`;
    const slowDbx = { ...emulator.info, url: `https://${dbxUrl.hostname}:${dbxProxy.port}` };
    const slow = await createBenchFlows(
      baseEnv,
      { ats: { connectionString: atsConnectionString(slowEndpoint) }, dbx: slowDbx },
      sweep.flatMap((n): FlowTarget[] => [
        { key: `ats-p${n}`, source: 'ats', table: atsTables.full.name, options: { parallelism: n } },
        { key: `dbx-p${n}`, source: 'dbx', table: dbxTables.full.name, options: { parallelism: n } },
      ]),
    );
    const lines: string[] = [];
    // The source's own CPU while a subject ran: Azurite and the emulator share this machine's cores with
    // the flow, so where their CPU seconds approach the subject's wall time the curve bends on them.
    const sourcePid = { ats: azurite.pid, dbx: emulator.pid };
    for (const source of ['ats', 'dbx'] as const) {
      const rawSourceCpu = processCpuSeconds(sourcePid[source]);
      const raw =
        source === 'ats'
          ? await worker('ats-raw', {
              endpoint: slowEndpoint,
              table: atsTables.full.name,
              end: new Date().toISOString(),
            })
          : await worker('dbx-raw', {
              ...slowDbx,
              table: dbxTables.full.name,
              batch: String(firstBatch),
              end: new Date().toISOString(),
            });
      const sourceCpuOf = (since: number): string =>
        (processCpuSeconds(sourcePid[source]) - since).toFixed(2).padStart(9);
      log({ ...raw, subject: `${source}-full raw (rtt ${rttMs} ms)` });
      lines.push(
        `  ${`${source}-full raw, one stream`.padEnd(30)} ${String(raw.rows).padStart(8)} ${raw.seconds.toFixed(2).padStart(7)} s            ${`${raw.peakRssMB}`.padStart(6)}  ${raw.cpuSeconds.toFixed(2).padStart(7)}  ${sourceCpuOf(rawSourceCpu)}`,
      );
      if (source === 'ats') {
        // The flow's own requests (no Timestamp predicate) in one stream: what parallelism alone adds.
        const scanSourceCpu = processCpuSeconds(sourcePid[source]);
        const scan = await worker('ats-raw-scan', {
          endpoint: slowEndpoint,
          table: atsTables.full.name,
          end: new Date().toISOString(),
        });
        log({ ...scan, subject: `ats-full raw-scan (rtt ${rttMs} ms)` });
        lines.push(
          `  ${'ats-full raw-scan, one stream'.padEnd(30)} ${String(scan.rows).padStart(8)} ${scan.seconds.toFixed(2).padStart(7)} s  ${`${(raw.seconds / scan.seconds).toFixed(2)}×`.padStart(7)}  ${`${scan.peakRssMB}`.padStart(6)}  ${scan.cpuSeconds.toFixed(2).padStart(7)}  ${sourceCpuOf(scanSourceCpu)}`,
        );
      }
      for (const n of sweep) {
        const sourceCpu = processCpuSeconds(sourcePid[source]);
        const measured = await runFlow(
          `${source}-p${n}`,
          source === 'ats' ? 1000 : firstBatch,
          undefined,
          slow,
        );
        log({ ...measured, subject: `${source}-full flow parallelism ${n} (rtt ${rttMs} ms)` });
        const speedup = raw.seconds / measured.seconds;
        const goal = n === 4 ? `  goal ≥ 2.5× ${speedup >= 2.5 ? 'MET' : 'MISSED'}` : '';
        lines.push(
          `  ${`${source}-full flow, parallelism ${n}`.padEnd(30)} ${String(measured.rows).padStart(8)} ${measured.seconds.toFixed(2).padStart(7)} s  ${`${speedup.toFixed(2)}×`.padStart(7)}  ${`${measured.peakRssMB}`.padStart(6)}  ${measured.cpuSeconds.toFixed(2).padStart(7)}  ${sourceCpuOf(sourceCpu)}${goal}`,
        );
      }
    }
    console.log(
      `\nparallel reads with ${rttMs} ms added per round trip (speedup over the raw single-stream read through the same proxy):`,
    );
    console.log(
      `  ${'subject'.padEnd(30)} ${'rows'.padStart(8)} ${'s'.padStart(7)}    speedup  peak RSS MB  cpu s  source cpu s`,
    );
    for (const line of lines) console.log(line);
  }

  if (profile) {
    for (const source of ['ats', 'dbx'] as const) {
      const profileFile = join(dir, `${source}.cpuprofile`);
      const measured = await runFlow(`${source}-profile`, source === 'ats' ? 1000 : firstBatch, profileFile);
      console.log(
        `\nWhere the time goes: ${source} flow, half size, profiled (${measured.seconds} s, ${measured.rows} rows; sampled time of the run by stage)`,
      );
      for (const row of summariseProfile(profileFile))
        console.log(
          `  ${row.stage.padEnd(46)} ${row.percent.toFixed(1).padStart(5)} %  ${row.seconds.toFixed(2).padStart(7)} s`,
        );
    }
  }
}

function printSummary(): void {
  const MB = 2 ** 20;
  console.log(
    '\nsubject                         rows       s    rows/s    MB/s   vs raw  cpu s/Mrow  cpu vs raw  rss base→peak MB  heap MB  files',
  );
  for (const r of results) {
    const [table] = r.subject.split(' ');
    const flow = results.find((x) => x.subject.startsWith(`${table ?? ''} flow`));
    const raw = results.find((x) => x.subject === `${table ?? ''} raw`);
    const bytes = r.bytes > 0 ? r.bytes : (flow?.bytes ?? 0);
    const ratio = raw === undefined || raw === r ? '' : `${(raw.seconds / r.seconds).toFixed(2)}×`;
    const cpuRatio = raw === undefined || raw === r ? '' : `${(cpuPerRow(r) / cpuPerRow(raw)).toFixed(2)}×`;
    const files = r.extra?.['outputFiles'];
    console.log(
      `${r.subject.padEnd(28)} ${String(r.rows).padStart(8)} ${r.seconds.toFixed(2).padStart(7)} ${String(Math.round(r.rows / r.seconds)).padStart(9)} ${(bytes / MB / r.seconds).toFixed(1).padStart(7)} ${ratio.padStart(8)}  ${(cpuPerRow(r) * 1e6).toFixed(2).padStart(10)}  ${cpuRatio.padStart(10)}  ${`${r.baselineRssMB}→${r.peakRssMB}`.padStart(16)}  ${String(r.peakHeapMB).padStart(7)}  ${files === undefined ? '' : String(files as number)}`,
    );
  }
  printVerdicts();
  console.log(
    '\nvs raw = raw seconds / subject seconds (1.00× = as fast as the bare SDK/driver). flow copy/finish split:',
  );
  for (const r of results.filter((x) => x.extra !== undefined))
    console.log(
      `  ${r.subject.padEnd(28)} copy (read+map+append) ${String(r.extra?.['copySeconds'])} s, finish+commit ${String(r.extra?.['finishSeconds'])} s, parquet ${((Number(r.extra?.['outputBytes']) || 0) / MB).toFixed(1)} MB`,
    );
}

/** CPU seconds per row of a measured subject. */
const cpuPerRow = (r: Measure): number => (r.rows === 0 ? 0 : r.cpuSeconds / r.rows);

/** Issue 14's targets 1–3, each figure beside its goal, for every table size measured. */
function printVerdicts(): void {
  console.log('\ntargets (issue 14):');
  const line = (what: string, figure: string, goal: string, ok: boolean): void => {
    console.log(
      `  ${what.padEnd(44)} ${figure.padStart(9)}  goal ${goal.padEnd(8)} ${ok ? 'MET' : 'MISSED'}`,
    );
  };
  for (const table of ['ats-full', 'ats-half', 'dbx-full', 'dbx-half']) {
    const raw = results.find((x) => x.subject === `${table} raw`);
    const flow = results.find((x) => x.subject.startsWith(`${table} flow`));
    if (raw === undefined || flow === undefined) continue;
    const speed = raw.seconds / flow.seconds;
    const goal = table.startsWith('ats') ? 0.95 : 0.9;
    line(
      `${table} flow speed vs raw (${flow.rows} rows)`,
      `${speed.toFixed(2)}×`,
      `≥ ${goal}×`,
      speed >= goal,
    );
    const cpu = cpuPerRow(flow) / cpuPerRow(raw);
    line(`${table} flow CPU per row vs raw client`, `${cpu.toFixed(2)}×`, '≤ 1.5×', cpu <= 1.5);
    const scan = results.find((x) => x.subject === `${table} raw-scan`);
    if (scan !== undefined) {
      console.log(
        `  ${`${table} flow speed vs raw-scan`.padEnd(44)} ${`${(scan.seconds / flow.seconds).toFixed(2)}×`.padStart(9)}  (no goal: the same requests as the flow, no predicate; see read-window.ts)`,
      );
      console.log(
        `  ${`${table} flow CPU per row vs raw-scan`.padEnd(44)} ${`${(cpuPerRow(flow) / cpuPerRow(scan)).toFixed(2)}×`.padStart(9)}`,
      );
    }
    const floor = results.find((x) => x.subject === `${table} arrow`);
    if (floor !== undefined) {
      const ratio = cpuPerRow(flow) / cpuPerRow(floor);
      console.log(
        `  ${`${table} flow CPU per row vs raw Arrow decode`.padEnd(44)} ${`${ratio.toFixed(2)}×`.padStart(9)}  (no goal: the driver's batches decoded, no row made)`,
      );
    }
    line(`${table} flow peak RSS`, `${flow.peakRssMB} MB`, '≤ 300 MB', flow.peakRssMB <= 300);
  }
}

async function shutdown(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
}

process.once('SIGINT', () => {
  void shutdown().then(() => process.exit(130));
});
try {
  await main();
} finally {
  await shutdown();
}
