/**
 * Run lifecycle over the API: RE_TRIGGER of a failed run lands its window (and a success cannot be
 * re-triggered), cancelling a scheduled or an in-progress run commits nothing and the next window
 * starts at the last commit, the scheduler creates a backfilling flow's first run by itself, and a
 * disabled flow gets no runs until it is enabled again, then resumes without a gap.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import {
  aggregate,
  api,
  createFlow,
  databricksConnection,
  runsOf,
  runView,
  tenantOf,
} from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const LAG_MS = 200;

let emulator: DatabricksEmulator;
let t: TestSluice;

const columns = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'STRING' },
  { name: 'updated', type: 'TIMESTAMP' },
];
const generated = (name: string, count: number) => ({
  name,
  columns,
  generate: { count, select: `i::BIGINT, 'n' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND` },
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
              tables: [
                generated('retried', 1000),
                generated('cancelled', 500),
                generated('handback', 20_000),
                { name: 'scheduled', columns, rows: [[0, 'n0', '2026-01-01 00:00:00']] },
              ],
            },
          ],
        },
      ],
    },
  });
  t = await startTestSluice({
    env: {
      SLUICE_EXTRA_CA_CERTS: emulator.caFile,
      SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS),
      SLUICE_RUN_READ_BATCH_SIZE: '50',
      SLUICE_RUN_HEARTBEAT_MS: '50',
      SLUICE_RUN_LEASE_MS: '2000',
      SLUICE_RUN_RETRY_ATTEMPTS: '2',
      SLUICE_RUN_RETRY_SPAN_MS: '60',
    },
  });
});

afterAll(async () => {
  await t.close();
  await emulator.stop();
});

const flowOn = (table: string, scheduleParams?: Record<string, string>) =>
  createFlow(t, {
    connection: databricksConnection(emulator),
    table: `shop.${table}`,
    columns: ['id', 'name', 'updated'],
    deltaColumn: 'updated',
    ...(scheduleParams === undefined ? {} : { scheduleParams }),
  });

async function runNextWindow(flowId: string) {
  await sleep(LAG_MS + 20);
  const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
  expect(await t.sluice.worker.runOnce()).toBe(1);
  return runView(t, run.id);
}

const action = (runId: string, op: string) => t.request('POST', `/runs/${runId}/action?op=${op}`);
const successBatches = async (dataSetId: string) =>
  (await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 100 })).filter(
    (batch) => batch.status === 'success',
  );
const cursorOf = async (flowId: string) =>
  t.sluice.store.db.selectFrom('flow_cursors').selectAll().where('flow_id', '=', flowId).executeTakeFirst();
const stamp = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

describe('RE_TRIGGER', () => {
  it("re-runs a failed run's window and refuses to re-run a success", async () => {
    const { flowId, dataSetId } = await flowOn('retried');
    emulator.revokeToken(emulator.token);
    let failed;
    try {
      failed = await runNextWindow(flowId);
    } finally {
      emulator.addToken(emulator.token);
    }
    expect(failed.metrics.statusSummary.status).toBe('failed');
    expect(failed.metrics.statusSummary.errors[0].code).toBe('CONNECTOR-1001-500');
    expect(await cursorOf(flowId)).toBeUndefined();

    const response = await action(failed.id, 'RE_TRIGGER');
    expect(response.statusCode, response.body).toBe(200);
    const retry = JSON.parse(response.body).items[0];
    expect(retry).toMatchObject({
      kind: 'retrigger',
      retriggerOf: failed.id,
      metrics: { statusSummary: { status: 'scheduled' } },
    });
    expect(await t.sluice.worker.runOnce()).toBe(1);
    const landed = await runView(t, retry.id);
    expect(landed.metrics.statusSummary.status, JSON.stringify(landed.metrics.statusSummary)).toBe('success');
    expect(landed.activities[0].durationSummary.extensions.windowEnd).toBe(
      failed.activities[0].durationSummary.extensions.windowEnd,
    );
    expect(await aggregate(t, `SELECT count(*), count(DISTINCT id) FROM dataset('${dataSetId}')`)).toEqual([
      1000, 1000,
    ]);
    expect((await cursorOf(flowId))?.last_run_id).toBe(retry.id);

    const again = await action(retry.id, 'RE_TRIGGER');
    expect(again.statusCode).toBe(400);
    expect(JSON.parse(again.body).type).toContain('FLOW-1387-400');
    // The failed run's window has been landed since: re-triggering it again is refused up front.
    const landedAlready = await action(failed.id, 'RE_TRIGGER');
    expect(landedAlready.statusCode).toBe(400);
    expect(JSON.parse(landedAlready.body)).toMatchObject({
      type: expect.stringContaining('FLOW-1387-400'),
      errorMessage: expect.stringContaining(`already landed by a later run (${retry.id})`),
    });
  });
});

describe('cancel', () => {
  it('cancels a scheduled and an in-progress run; nothing is committed and the next window starts at the last commit', async () => {
    const { flowId, dataSetId } = await flowOn('cancelled');
    const first = await runNextWindow(flowId);
    expect(first.metrics.statusSummary.status).toBe('success');
    const committedEnd = first.activities[0].durationSummary.extensions.windowEnd as number;
    // Plenty of new rows, so the next run is still reading when it is cancelled.
    await emulator.exec(
      `INSERT INTO hive_metastore.shop.cancelled SELECT i::BIGINT, 'n' || i, TIMESTAMP '${stamp(Date.now())}' FROM range(500, 5500) AS r(i)`,
    );
    await sleep(LAG_MS + 20);

    const scheduled = await t.sluice.runs.runNow(tenantOf(t), flowId);
    const cancelScheduled = await action(scheduled.id, 'cancel');
    expect(cancelScheduled.statusCode, cancelScheduled.body).toBe(200);
    expect(await t.sluice.worker.runOnce()).toBe(0);
    expect((await runView(t, scheduled.id)).metrics.statusSummary.status).toBe('cancelled');

    const running = await t.sluice.runs.runNow(tenantOf(t), flowId);
    const pass = t.sluice.worker.runOnce();
    for (let waited = 0; ; waited += 10) {
      const current = await t.sluice.runs.load(tenantOf(t), running.id);
      if ((current.progress?.rowsRead ?? 0) >= 100) break;
      if (current.state !== 'scheduled' && current.state !== 'inProgress')
        throw new Error(`run ended (${current.state}) before it could be cancelled`);
      if (waited > 20_000) throw new Error('the run did not start reading');
      await sleep(10);
    }
    const cancelRunning = await action(running.id, 'cancel');
    expect(cancelRunning.statusCode, cancelRunning.body).toBe(200);
    expect(await pass).toBe(1);
    const cancelled = await runView(t, running.id);
    expect(cancelled.metrics.statusSummary.status).toBe('cancelled');
    expect((await successBatches(dataSetId)).map((batch) => batch.runId)).toEqual([first.id]);
    expect((await cursorOf(flowId))?.committed_end).toBe(committedEnd);
    expect(await aggregate(t, `SELECT count(*) FROM dataset('${dataSetId}')`)).toEqual([500]);

    const next = await runNextWindow(flowId);
    expect(next.metrics.statusSummary.status).toBe('success');
    expect(next.activities[0].durationSummary.extensions.windowStart).toBe(committedEnd);
    expect(
      await aggregate(
        t,
        `SELECT count(*), count(DISTINCT id), min(id), max(id) FROM dataset('${dataSetId}')`,
      ),
    ).toEqual([5500, 5500, 0, 5499]);
  });
});

describe('graceful stop', () => {
  it('hands an in-progress run back, so the next runner starts it at once and lands it exactly', async () => {
    const { flowId, dataSetId } = await flowOn('handback');
    await sleep(LAG_MS + 20);
    const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
    const pass = t.sluice.worker.runOnce();
    for (let waited = 0; ; waited += 10) {
      const current = await t.sluice.runs.load(tenantOf(t), run.id);
      if ((current.progress?.rowsRead ?? 0) >= 100) break;
      if (waited > 20_000) throw new Error('the run did not start reading');
      await sleep(10);
    }
    // No grace: the active run is handed back at once (a grace lets it finish first; see below).
    await t.sluice.worker.stop(0);
    await pass;
    const handedBack = await t.sluice.store.db
      .selectFrom('runs')
      .select(['state', 'lease_owner'])
      .where('id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(handedBack).toEqual({ state: 'scheduled', lease_owner: null });
    expect(await successBatches(dataSetId)).toEqual([]);

    t.sluice.worker.start();
    try {
      for (
        let waited = 0;
        (await t.sluice.runs.load(tenantOf(t), run.id)).state !== 'success';
        waited += 50
      ) {
        if (waited > 30_000) throw new Error('the handed-back run was not completed');
        await sleep(50);
      }
    } finally {
      await t.sluice.worker.stop();
    }
    const done = await runView(t, run.id);
    expect(done.attempt).toBe(2);
    expect(await aggregate(t, `SELECT count(*), count(DISTINCT id) FROM dataset('${dataSetId}')`)).toEqual([
      20_000, 20_000,
    ]);
  });
});

describe('scheduler and flow state', () => {
  it("creates a backfilling flow's first run alone, skips a disabled flow and resumes without a gap", async () => {
    // Every 15 minutes from just under 30 minutes ago: one period is due now, the next in a few seconds.
    const startMs = Date.now() - 30 * 60_000 + 3000;
    const start = Math.ceil(startMs / 1000) * 1000;
    const period = 15 * 60_000;
    await emulator.exec(
      `INSERT INTO hive_metastore.shop.scheduled SELECT i::BIGINT, 'n' || i, TIMESTAMP '${stamp(start)}' + INTERVAL (i) SECOND FROM range(1, 101) AS r(i)`,
    );
    await emulator.exec(
      `INSERT INTO hive_metastore.shop.scheduled SELECT i::BIGINT, 'n' || i, TIMESTAMP '${stamp(start + period)}' + INTERVAL (i - 100) SECOND FROM range(101, 201) AS r(i)`,
    );
    const { flowId, dataSetId } = await flowOn('scheduled', {
      startTime: String(start / 1000),
      frequency: 'minute',
      interval: '15',
      backfill: 'true',
    });

    expect(await t.sluice.worker.runOnce()).toBe(1);
    const [first] = await runsOf(t, flowId);
    expect(first).toMatchObject({
      kind: 'scheduled',
      state: 'success',
      window: { start: null, end: start + period - LAG_MS },
    });
    expect(await aggregate(t, `SELECT count(*) FROM dataset('${dataSetId}')`)).toEqual([101]);

    const disabled = await t.request('POST', `/flows/${flowId}/action?op=disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    await sleep(Math.max(0, start + 2 * period - Date.now()) + 100);
    expect(await t.sluice.worker.runOnce()).toBe(0);
    expect(await runsOf(t, flowId)).toHaveLength(1);
    await expect(t.sluice.runs.runNow(tenantOf(t), flowId)).rejects.toMatchObject({ code: 'FLOW-1388-400' });
    const enabled = await t.request('POST', `/flows/${flowId}/action?op=enable`);
    expect(enabled.statusCode, enabled.body).toBe(200);

    expect(await t.sluice.worker.runOnce()).toBe(1);
    const runs = await runsOf(t, flowId);
    expect(runs.map((run) => [run.state, run.window.start, run.window.end])).toEqual([
      ['success', null, start + period - LAG_MS],
      ['success', start + period - LAG_MS, start + 2 * period - LAG_MS],
    ]);
    expect(
      await aggregate(
        t,
        `SELECT count(*), count(DISTINCT id), min(id), max(id) FROM dataset('${dataSetId}')`,
      ),
    ).toEqual([201, 201, 0, 200]);
    expect((await api(t, 'GET', `/flows/${flowId}`)).items[0].lastRunDetails).toMatchObject({
      id: runs[1]?.id,
      state: 'success',
    });
  });

  it('does not start a run that was scheduled before its flow was disabled', async () => {
    const { flowId, dataSetId } = await flowOn('retried');
    await sleep(LAG_MS + 20);
    const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
    const disabled = await t.request('POST', `/flows/${flowId}/action?op=disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    emulator.resetStats();
    expect(await t.sluice.worker.runOnce()).toBe(1);
    const ended = await runView(t, run.id);
    expect(ended.metrics.statusSummary.status).toBe('cancelled');
    expect(ended.metrics.statusSummary.errors[0].code).toBe('FLOW-1388-400');
    expect(emulator.stats.statements).toEqual([]);
    expect(await successBatches(dataSetId)).toEqual([]);
    expect(await cursorOf(flowId)).toBeUndefined();

    const enabled = await t.request('POST', `/flows/${flowId}/action?op=enable`);
    expect(enabled.statusCode, enabled.body).toBe(200);
    const next = await runNextWindow(flowId);
    expect(next.metrics.statusSummary.status).toBe('success');
    expect(await aggregate(t, `SELECT count(*), count(DISTINCT id) FROM dataset('${dataSetId}')`)).toEqual([
      1000, 1000,
    ]);
  });
});
