/**
 * Two Sluice instances on one PostgreSQL schema (and one lake), as two worker processes would be, with
 * each run queue engine: no run is executed twice and no row lands twice; a worker whose claim was lost
 * (its lease expired; with pg-boss, its job failed as the monitor does when heartbeats stop) commits
 * nothing, and the worker that took the run over lands the window once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import { PgBoss } from 'pg-boss';
import { loadConfig } from '../src/config/config.ts';
import { RUN_QUEUE_NAME } from '../src/store/queue/pg-boss-queue.ts';
import { createSluice, type Sluice } from '../src/sluice.ts';
import { aggregate, createFlow, databricksConnection, runsOf, tenantOf } from './support/flows.ts';
import { postgresTestUrl } from './support/postgres.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const LAG_MS = 200;
const TABLES = ['t1', 't2', 't3', 't4', 't5', 't6'];

let emulator: DatabricksEmulator;

const runnerEnv = (): Record<string, string> => ({
  SLUICE_EXTRA_CA_CERTS: emulator.caFile,
  SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS),
  SLUICE_RUN_READ_BATCH_SIZE: '100',
  // A slow heartbeat, so a test can take a lease over between two beats.
  SLUICE_RUN_LEASE_MS: '3000',
  SLUICE_RUN_HEARTBEAT_MS: '1500',
});

beforeAll(async () => {
  emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      catalogs: [
        {
          name: 'hive_metastore',
          databases: [
            {
              name: 'shop',
              tables: [...TABLES, 'slow'].map((name) => ({
                name,
                columns: [
                  { name: 'id', type: 'BIGINT' },
                  { name: 'name', type: 'STRING' },
                  { name: 'updated', type: 'TIMESTAMP' },
                ],
                generate: {
                  count: 3000,
                  select: `i::BIGINT, 'n' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND`,
                },
              })),
            },
          ],
        },
      ],
    },
  });
});

afterAll(async () => {
  await emulator.stop();
});

describe.each(['local', 'pg-boss'] as const)('two workers on one store (%s queue)', (engine) => {
  let t: TestSluice;
  let other: Sluice;
  let boss: PgBoss | undefined;

  beforeAll(async () => {
    t = await startTestSluice({ dialect: 'postgres', env: { ...runnerEnv(), SLUICE_RUN_QUEUE: engine } });
    // Same schema, same data dir (encryption key), lake and queue: a second worker process in all but pid.
    const config = t.sluice.config;
    other = await createSluice(
      loadConfig({
        SLUICE_DATA_DIR: config.dataDir,
        SLUICE_DATABASE_URL: postgresTestUrl(),
        SLUICE_QUEUE_SCHEMA: config.queue.schema,
        SLUICE_QUEUE_MONITOR_MS: '1000',
        SLUICE_RUN_QUEUE: engine,
        ...runnerEnv(),
      }),
      {
        storeOptions: {
          kind: 'postgres',
          url: postgresTestUrl(),
          ...(t.sluice.store.schema === undefined ? {} : { schema: t.sluice.store.schema }),
        },
      },
    );
    if (engine === 'pg-boss') {
      boss = new PgBoss({
        connectionString: postgresTestUrl(),
        schema: config.queue.schema,
        supervise: false,
      });
      await boss.start();
    }
  });

  afterAll(async () => {
    await boss?.stop({ graceful: false });
    await other.close();
    await t.close();
  });

  /** What a worker whose heartbeats stop reaching the store suffers: its claim on `runId` is lost. */
  const loseClaim = async (runId: string): Promise<void> => {
    if (boss === undefined) {
      await t.sluice.store.db
        .updateTable('runs')
        .set({ lease_expires_at: 1 })
        .where('id', '=', runId)
        .execute();
      return;
    }
    for (const job of await boss.findJobs(RUN_QUEUE_NAME, { data: { runId } }))
      if (job.state === 'active')
        await boss.fail(RUN_QUEUE_NAME, job.id, { reason: 'heartbeat lost (test)' });
  };

  const successBatches = async (dataSetId: string) =>
    (await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 100 })).filter(
      (batch) => batch.status === 'success',
    );

  it('never execute the same run twice nor land a row twice', async () => {
    const flows = [];
    for (const name of TABLES) {
      flows.push(
        await createFlow(t, {
          connection: databricksConnection(emulator),
          table: `shop.${name}`,
          columns: ['id', 'name', 'updated'],
          deltaColumn: 'updated',
        }),
      );
    }
    await sleep(LAG_MS + 20);
    for (const flow of flows) await t.sluice.runs.runNow(tenantOf(t), flow.flowId);
    const [mine, theirs] = await Promise.all([t.sluice.worker.runOnce(), other.worker.runOnce()]);
    expect(mine + theirs).toBe(TABLES.length);
    for (const flow of flows) {
      const runs = await runsOf(t, flow.flowId);
      expect(runs.map((run) => [run.state, run.attempt])).toEqual([['success', 1]]);
      expect(
        await aggregate(t, `SELECT count(*), count(DISTINCT id) FROM dataset('${flow.dataSetId}')`),
      ).toEqual([3000, 3000]);
      expect((await successBatches(flow.dataSetId)).map((batch) => batch.runId)).toEqual([runs[0]?.id]);
    }
  });

  it('a runner whose lease was taken over commits nothing; the new holder lands the window once', async () => {
    const { flowId, dataSetId } = await createFlow(t, {
      connection: databricksConnection(emulator),
      table: 'shop.slow',
      columns: ['id', 'name', 'updated'],
      deltaColumn: 'updated',
    });
    await sleep(LAG_MS + 20);
    const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
    const first = t.sluice.worker.runOnce();
    // Wait until the first runner is reading, then freeze the source so it stays mid-read.
    for (let waited = 0; ; waited += 10) {
      // Its attempt has begun its batch: it is about to read, or reading.
      const loading = await t.sluice.store.db
        .selectFrom('batches')
        .select('id')
        .where('run_id', '=', run.id)
        .where('status', '=', 'loading')
        .execute();
      if (loading.length > 0) break;
      if (waited > 20_000) throw new Error('the first runner did not start reading');
      await sleep(10);
    }
    emulator.setHang(true);
    let second: Promise<number> | undefined;
    try {
      // As if the first runner's heartbeats stopped reaching the store: its lease runs out. (Should one
      // of its beats land between the expiry and the second runner's claim, the pass claims nothing:
      // expire the lease again.)
      let claimedNothing = true;
      for (let waited = 0; ; waited += 10) {
        if (claimedNothing) {
          claimedNothing = false;
          await loseClaim(run.id);
          second = other.worker.runOnce().then((executed) => {
            if (executed === 0) claimedNothing = true;
            return executed;
          });
        }
        if ((await t.sluice.runs.load(tenantOf(t), run.id)).attempt === 2) break;
        if (waited > 10_000) throw new Error('the second runner did not take the run over');
        await sleep(10);
      }
    } finally {
      emulator.setHang(false);
    }
    const [executedByFirst, executedBySecond] = await Promise.all([first, second]);
    expect(executedByFirst).toBe(1);
    expect(executedBySecond).toBe(1);
    const [final] = await runsOf(t, flowId);
    expect(final).toMatchObject({ id: run.id, state: 'success', attempt: 2 });
    const batches = await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 100 });
    // The first runner's batch never became visible; the second's is the only committed one.
    expect(batches.filter((batch) => batch.status === 'success').map((batch) => batch.id)).toEqual([
      final?.batchId,
    ]);
    expect(batches.filter((batch) => batch.status !== 'success').map((batch) => batch.status)).toEqual([
      'aborted',
    ]);
    expect(await aggregate(t, `SELECT count(*), count(DISTINCT id) FROM dataset('${dataSetId}')`)).toEqual([
      3000, 3000,
    ]);
  });
});
