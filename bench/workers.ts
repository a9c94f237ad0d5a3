/**
 * `npm run bench:workers` — flows executed by `sluice worker` processes on PostgreSQL with the pg-boss
 * queue, over Azure Table Storage tables (Azurite):
 *
 *   node bench/workers.ts [--flows 30] [--entities 20000] [--workers 1,2,4] [--concurrency 1] [--kills 0]
 *
 * Throughput: for each worker count, 30 new flows (one per table) get their first window at once; it
 * prints the wall time until every run has succeeded, total rows/s, each worker's CPU seconds (user+sys,
 * from /proc) and Azurite's, and the machine's CPU use over the pass — where the time goes.
 *
 * With `--kills K`: one more pass with 3 workers, SIGKILLing a worker that holds runs at a random moment K
 * times (each restarted at once); afterwards every dataset must equal its source value by value (count,
 * distinct keys, checksums of two columns) with no duplicate, and the takeover times are printed.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/config.ts';
import type { Tenant } from '../src/domain/tenancy.ts';
import { createSluice, type Sluice } from '../src/sluice.ts';
import { startAzurite } from '../test/support/global-setup.ts';
import { createTestSchema, postgresTestUrl } from '../test/support/postgres.ts';
import { urlWithSchema, workerFleet } from '../test/support/worker-fleet.ts';
import { atsConnectionString, loadAzurite } from './support/ingest-sources.ts';

const { values } = parseArgs({
  options: {
    flows: { type: 'string', default: '30' },
    entities: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '1,2,4' },
    concurrency: { type: 'string', default: '1' },
    kills: { type: 'string', default: '0' },
  },
});
const FLOWS = Number(values.flows);
const ENTITIES = Number(values.entities);
const WORKER_COUNTS = values.workers.split(',').map(Number);
const CONCURRENCY = Number(values.concurrency);
const KILLS = Number(values.kills);
const BASE = '/data/foundation/flowservice';
const TICK_S = 100; // USER_HZ of /proc/<pid>/stat

/** CPU seconds (user+sys) a process has used, from /proc; 0 once it is gone. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICK_S;
  } catch {
    return 0;
  }
}

/** The machine's busy and total CPU seconds so far, from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const [, ...ticks] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/);
  const numbers = ticks.map(Number);
  const idle = (numbers[3] ?? 0) + (numbers[4] ?? 0);
  const total = numbers.reduce((sum, value) => sum + value, 0);
  return { busy: (total - idle) / TICK_S, total: total / TICK_S };
}

/** The pid of Azurite (a child of this process whose command line names it). */
function azuritePid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('azurite'))
        return Number(entry);
    } catch {
      // gone
    }
  }
  return undefined;
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-workers-'));
const azurite = await startAzurite();
const endpoint = `http://127.0.0.1:${String(azurite.port)}/devstoreaccount1`;
const schema = await createTestSchema(postgresTestUrl());
const env: Record<string, string> = {
  SLUICE_DATA_DIR: dir,
  SLUICE_DATABASE_URL: urlWithSchema(postgresTestUrl(), schema.schema),
  SLUICE_QUEUE_SCHEMA: schema.queueSchema,
  SLUICE_QUEUE_MONITOR_MS: '1000',
  SLUICE_RUN_LEASE_MS: '10000',
  SLUICE_RUN_HEARTBEAT_MS: '1000',
  SLUICE_RUNNER_POLL_MS: '200',
  SLUICE_RUN_SAFETY_LAG_MS: '0',
  SLUICE_MODE: 'development',
};
let sluice: Sluice | undefined;

try {
  const tables = Array.from(
    { length: FLOWS },
    (_value, index) => `bench${String(index)}${randomBytes(3).toString('hex')}`,
  );
  const t0 = performance.now();
  for (let start = 0; start < tables.length; start += 4)
    await Promise.all(
      tables.slice(start, start + 4).map((table) => loadAzurite(endpoint, table, ENTITIES, 4)),
    );
  console.log(
    `loaded ${String(FLOWS)} tables × ${String(ENTITIES)} entities into Azurite in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  // The API side: an in-process Sluice on the same store (no worker of its own) creates the flows.
  sluice = await createSluice(loadConfig({ ...env, SLUICE_RUNNER_ENABLED: 'false' }));
  const app = await sluice.buildApp(false);
  const credentials = await sluice.identity.createOrg('Workers bench');
  const tenant: Tenant = {
    orgId: credentials.org.id,
    sandboxId: credentials.sandbox.id,
    sandboxName: 'prod',
  };
  const headers = {
    authorization: `Bearer ${credentials.accessToken}`,
    'x-api-key': credentials.apiKey,
    'x-gw-ims-org-id': credentials.org.id,
    'x-sandbox-name': 'prod',
  };
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await app.inject({
      method,
      url: path.startsWith('/data/') ? path : `${BASE}${path}`,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (response.statusCode >= 300)
      throw new Error(`${method} ${path}: ${String(response.statusCode)} ${response.body}`);
    return JSON.parse(response.body) as Record<string, unknown>;
  };
  const { id: connectionId } = (await call('POST', '/connections', {
    name: 'bench ATS',
    auth: {
      specName: 'Connection String Based Authentication',
      params: { connectionString: atsConnectionString(endpoint) },
    },
    connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
  })) as { id: string };

  const createFlows = async (tag: string) => {
    const flows: { flowId: string; dataSetId: string; table: string }[] = [];
    for (const table of tables) {
      const explored = await call(
        'GET',
        `/connections/${connectionId}/explore?objectType=table&object=${table}`,
      );
      const columns = (explored['schema'] as { columns: { name: string }[] }).columns.filter((column) =>
        ['PartitionKey', 'RowKey', 'name', 'age', 'big', 'joined', 'Timestamp'].includes(column.name),
      );
      const { id: sourceConnectionId } = (await call('POST', '/sourceConnections', {
        name: `${tag} ${table}`,
        baseConnectionId: connectionId,
        data: { format: 'tabular' },
        params: { tableName: table, columns },
        connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
      })) as { id: string };
      const dataset = (await call('POST', '/data/foundation/catalog/dataSets', {
        name: `${tag} ${table}`,
        schema: { fields: columns },
      })) as unknown as string[];
      const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
      const { id: targetConnectionId } = (await call('POST', '/targetConnections', {
        name: `${tag} ${table}`,
        data: { format: 'parquet_xdm' },
        params: { dataSetId },
        connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
      })) as { id: string };
      const { id: flowId } = (await call('POST', '/flows', {
        name: `${tag} ${table}`,
        flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
        sourceConnectionIds: [sourceConnectionId],
        targetConnectionIds: [targetConnectionId],
        transformations: [{ name: 'Copy', params: { deltaColumn: { name: 'Timestamp' } } }],
        scheduleParams: {
          startTime: String(Math.floor(Date.now() / 1000) + 86_400),
          frequency: 'hour',
          interval: '1',
          backfill: 'true',
        },
      })) as { id: string };
      flows.push({ flowId, dataSetId, table });
    }
    return flows;
  };

  /** Runs waiting or running, on any flow (the bench's flows are the only ones). */
  const pending = async (): Promise<number> => {
    const stats = await sluice!.queue.stats();
    return stats.waiting + stats.active;
  };

  const untilDone = async (timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while ((await pending()) > 0) {
      if (Date.now() > deadline) throw new Error('runs still pending');
      await sleep(200);
    }
  };

  const rows = FLOWS * ENTITIES;
  const cores = cpus().length;
  console.log(
    `\n| workers | concurrency | s | rows/s | worker CPU s (each) | Azurite CPU s | machine busy |`,
  );
  console.log(`|---:|---:|---:|---:|---|---:|---:|`);
  for (const count of WORKER_COUNTS) {
    const flows = await createFlows(`w${String(count)}`);
    const fleet = workerFleet({ size: count, concurrency: CONCURRENCY, env });
    for (let index = 0; index < count; index += 1) await fleet.start(index);
    const azuriteBefore = cpuSeconds(azuritePid());
    const workersBefore = Array.from({ length: count }, (_v, index) => cpuSeconds(fleet.pid(index)));
    const machineBefore = machineCpu();
    const started = performance.now();
    for (const flow of flows) await sluice.runs.runNow(tenant, flow.flowId);
    await untilDone(3_600_000);
    const seconds = (performance.now() - started) / 1000;
    const workerCpu = Array.from(
      { length: count },
      (_v, index) => cpuSeconds(fleet.pid(index)) - (workersBefore[index] ?? 0),
    );
    const azuriteCpu = cpuSeconds(azuritePid()) - azuriteBefore;
    const machine = machineCpu();
    const busy = (machine.busy - machineBefore.busy) / (machine.total - machineBefore.total);
    console.log(
      `| ${String(count)} | ${String(CONCURRENCY)} | ${seconds.toFixed(1)} | ${Math.round(rows / seconds).toLocaleString('en')} | ${workerCpu.map((cpu) => cpu.toFixed(1)).join(', ')} | ${azuriteCpu.toFixed(1)} | ${(busy * 100).toFixed(0)}% of ${String(cores)} cores |`,
    );
    await fleet.stop();
  }

  if (KILLS > 0) {
    const flows = await createFlows('kills');
    const fleet = workerFleet({ size: 3, concurrency: Math.max(2, CONCURRENCY), env });
    for (let index = 0; index < 3; index += 1) await fleet.start(index);
    for (const flow of flows) await sluice.runs.runNow(tenant, flow.flowId);
    const takeovers: number[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const report = await sluice.status.report();
      const holders = report.workers.filter((worker) => worker.runs.length > 0);
      const victim = holders[Math.floor(Math.random() * holders.length)];
      const index = [0, 1, 2].find((candidate) => fleet.pid(candidate) === victim?.pid);
      if (victim === undefined || index === undefined) {
        if ((await pending()) === 0) break;
        await sleep(200);
        kill -= 1;
        continue;
      }
      await sleep(Math.floor(Math.random() * 1000));
      const attempts = new Map<string, number>();
      for (const runId of victim.runs) attempts.set(runId, (await sluice.runs.load(tenant, runId)).attempt);
      const killedAt = Date.now();
      await fleet.kill(index);
      await fleet.start(index);
      for (;;) {
        const runs = await Promise.all(victim.runs.map((runId) => sluice!.runs.load(tenant, runId)));
        if (runs.some((run) => run.attempt > (attempts.get(run.id) ?? 0) || run.state === 'success')) break;
        await sleep(100);
      }
      takeovers.push((Date.now() - killedAt) / 1000);
    }
    await untilDone(3_600_000);
    let exact = 0;
    for (const flow of flows) {
      const result = await sluice.datasets.query(
        tenant,
        `SELECT count(*), count(DISTINCT RowKey), sum(age), count(*) FILTER (WHERE name <> 'customer ' || CAST(RowKey AS BIGINT)) FROM dataset('${flow.dataSetId}')`,
      );
      const [count, distinct, ageSum, badNames] = (result.rows[0] ?? []).map(Number);
      let expectedAges = 0;
      for (let n = 0; n < ENTITIES; n += 1) expectedAges += n % 97;
      const ok = count === ENTITIES && distinct === ENTITIES && ageSum === expectedAges && badNames === 0;
      if (ok) exact += 1;
      else
        console.log(
          `NOT EXACT ${flow.table}: count ${String(count)}, distinct ${String(distinct)}, sum(age) ${String(ageSum)} (want ${String(expectedAges)}), bad names ${String(badNames)}`,
        );
    }
    console.log(
      `\nkills: ${String(takeovers.length)} SIGKILLs of workers holding runs; takeover times ${takeovers.map((s) => `${s.toFixed(1)} s`).join(', ')}; ${String(fleet.started)} worker processes; ${String(exact)}/${String(flows.length)} datasets exact`,
    );
    await fleet.stop();
    if (exact !== flows.length) process.exitCode = 1;
  }
} finally {
  await sluice?.close();
  await azurite.stop();
  await schema.drop();
  rmSync(dir, { recursive: true, force: true });
}
