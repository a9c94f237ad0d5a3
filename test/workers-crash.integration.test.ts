/**
 * Three `sluice worker` processes on one PostgreSQL store and the pg-boss queue, executing flows over
 * Azure Table Storage tables, with workers SIGKILLed at random moments while they hold runs and
 * restarted: every run is taken over by a live worker once its heartbeat lapses, and every dataset ends
 * equal to its source value by value, with no duplicate. The takeover times are printed. (The larger
 * version, 30 flows × 20,000 entities and 10 kills, is `npm run bench:workers -- --kills 10`.)
 */
import { TableClient, type TableTransaction } from '@azure/data-tables';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { aggregate, atsConnection, createFlow, runsOf, tenantOf, type CreatedFlow } from './support/flows.ts';
import { postgresTestUrl } from './support/postgres.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';
import { urlWithSchema, workerFleet, type WorkerFleet } from './support/worker-fleet.ts';

const FLOWS = 6;
const ENTITIES = 2000;
const KILLS = 3;
const LAG_MS = 200;

let t: TestSluice;
let fleet: WorkerFleet;
const tables = Array.from({ length: FLOWS }, () => uniqueTableName('fleet'));
const sizes = new Map<string, number>();
const flows: CreatedFlow[] = [];

async function addEntities(table: string, count: number): Promise<void> {
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  const from = sizes.get(table) ?? 0;
  for (let start = from; start < from + count; start += 100) {
    const actions: TableTransaction['actions'] = [];
    for (let id = start; id < Math.min(start + 100, from + count); id += 1)
      actions.push([
        'create',
        {
          partitionKey: 'p',
          rowKey: String(id).padStart(7, '0'),
          id: { value: String(id), type: 'Int64' },
          name: `n${String(id)}`,
          updated: new Date(),
        },
      ]);
    await client.submitTransaction(actions);
  }
  sizes.set(table, from + count);
}

beforeAll(async () => {
  // The same lease everywhere: it is the run queue's heartbeat, which the processes share.
  t = await startTestSluice({
    dialect: 'postgres',
    env: { SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS), SLUICE_RUN_LEASE_MS: '10000' },
  });
  for (const table of tables) {
    await TableClient.fromConnectionString(azuriteConnectionString(), table, {
      allowInsecureConnection: true,
    }).createTable();
    await addEntities(table, ENTITIES);
    flows.push(
      await createFlow(t, {
        connection: atsConnection(azuriteConnectionString()),
        table,
        columns: ['id', 'name', 'updated'],
        deltaColumn: 'updated',
      }),
    );
  }
  const schema = t.sluice.store.schema ?? 'public';
  fleet = workerFleet({
    size: 3,
    concurrency: 2,
    env: {
      SLUICE_DATA_DIR: t.sluice.config.dataDir,
      SLUICE_DATABASE_URL: urlWithSchema(postgresTestUrl(), schema),
      SLUICE_QUEUE_SCHEMA: t.sluice.config.queue.schema,
      SLUICE_QUEUE_MONITOR_MS: '1000',
      SLUICE_RUN_LEASE_MS: '10000',
      SLUICE_RUN_HEARTBEAT_MS: '1000',
      SLUICE_RUNNER_POLL_MS: '200',
      SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS),
      SLUICE_RUN_READ_BATCH_SIZE: '100',
    },
  });
});

afterAll(async () => {
  await fleet.stop();
  await t.close();
});

const pendingRuns = async () =>
  (await Promise.all(flows.map((flow) => runsOf(t, flow.flowId))))
    .flat()
    .filter((run) => !['success', 'failed', 'cancelled'].includes(run.state));

async function newWindows(): Promise<void> {
  await sleep(LAG_MS + 50);
  for (const flow of flows) await t.sluice.runs.runNow(tenantOf(t), flow.flowId);
}

async function untilIdle(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await pendingRuns()).length > 0) {
    if (Date.now() > deadline) throw new Error(`runs still pending after ${String(timeoutMs)} ms`);
    await sleep(200);
  }
}

describe('three workers on PostgreSQL with pg-boss', () => {
  it('land every table exactly once through SIGKILLs of workers holding runs', async () => {
    for (let index = 0; index < fleet.size; index += 1) await fleet.start(index);
    await newWindows();
    const takeovers: number[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      // A worker that holds a run, killed a random moment into it.
      let victim: { index: number; runs: readonly string[] } | undefined;
      for (let waited = 0; victim === undefined; waited += 100) {
        const report = await t.sluice.status.report();
        for (let index = 0; index < fleet.size && victim === undefined; index += 1) {
          const seen = report.workers.find((worker) => worker.pid === fleet.pid(index));
          if (seen && seen.runs.length > 0) victim = { index, runs: seen.runs };
        }
        if (victim === undefined && (await pendingRuns()).length === 0) {
          for (const table of tables) await addEntities(table, 300);
          await newWindows();
        }
        if (waited > 30_000) throw new Error('no worker took a run');
        await sleep(100);
      }
      await sleep(Math.floor(Math.random() * 300));
      const attempts = new Map<string, number>();
      for (const runId of victim.runs)
        attempts.set(runId, (await t.sluice.runs.load(tenantOf(t), runId)).attempt);
      const killedAt = Date.now();
      await fleet.kill(victim.index);
      await fleet.start(victim.index);
      // The takeover: another worker claims a run the killed one held (or it had just committed).
      for (;;) {
        const states = await Promise.all(victim.runs.map((runId) => t.sluice.runs.load(tenantOf(t), runId)));
        if (states.some((run) => run.attempt > (attempts.get(run.id) ?? 0) || run.state === 'success')) break;
        if (Date.now() - killedAt > 60_000) throw new Error('the killed worker’s runs were not taken over');
        await sleep(100);
      }
      takeovers.push(Date.now() - killedAt);
    }
    await untilIdle(90_000);
    // One more window everywhere, with no kill, lands the rows added meanwhile.
    for (const table of tables) await addEntities(table, 100);
    await newWindows();
    await untilIdle(60_000);

    for (const [index, flow] of flows.entries()) {
      const runs = await runsOf(t, flow.flowId);
      expect(
        runs.map((run) => run.state).filter((state) => state !== 'success'),
        JSON.stringify(runs),
      ).toEqual([]);
      const size = sizes.get(tables[index] ?? '') ?? 0;
      const [count, distinct, minId, maxId, badNames] = await aggregate(
        t,
        `SELECT count(*), count(DISTINCT id), min(id), max(id), count(*) FILTER (WHERE name <> 'n' || id) FROM dataset('${flow.dataSetId}')`,
      );
      expect({ count, distinct, minId, maxId, badNames }).toEqual({
        count: size,
        distinct: size,
        minId: 0,
        maxId: size - 1,
        badNames: 0,
      });
    }
    console.info(
      `workers crash test: ${String(KILLS)} kills, takeover times ${takeovers.map((ms) => `${(ms / 1000).toFixed(1)} s`).join(', ')}, ${String(fleet.started)} worker processes`,
    );
  }, 240_000);
});
