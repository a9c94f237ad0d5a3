/**
 * Crash safety of flow runs: a runner process is SIGKILLed at random moments, twenty times, and
 * restarted; a restarted runner takes the interrupted run over once its lease expires and redoes the
 * window from the last commit. Rows are added at the source between windows. The dataset must end
 * equal to the source: every id once, every value as generated, one committed batch per window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import type { Run } from '../src/domain/run.ts';
import { aggregate, createFlow, databricksConnection, runsOf, tenantOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const ROWS = 200_000;
const LAG_MS = 300;
const BASE_EPOCH_S = Date.parse('2026-01-01T00:00:00Z') / 1000;

let emulator: DatabricksEmulator;
let t: TestSluice;

const table = (name: string, count: number) => ({
  name,
  columns: [
    { name: 'id', type: 'BIGINT' },
    { name: 'name', type: 'STRING' },
    { name: 'updated', type: 'TIMESTAMP' },
  ],
  generate: { count, select: `i::BIGINT, 'n' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND` },
});

beforeAll(async () => {
  emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      catalogs: [{ name: 'hive_metastore', databases: [{ name: 'shop', tables: [table('big', ROWS)] }] }],
    },
  });
  t = await startTestSluice({
    env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile, SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS) },
  });
});

afterAll(async () => {
  await t.close();
  await emulator.stop();
});

/** Runner processes on the test's store, killed and restarted by the test. */
function runnerProcesses() {
  let child: ChildProcess | undefined;
  let started = 0;
  const env = {
    ...process.env,
    SLUICE_DATA_DIR: t.sluice.config.dataDir,
    SLUICE_EXTRA_CA_CERTS: emulator.caFile,
    SLUICE_RUN_SAFETY_LAG_MS: String(LAG_MS),
    SLUICE_RUN_LEASE_MS: '1500',
    SLUICE_RUN_HEARTBEAT_MS: '300',
    SLUICE_RUNNER_POLL_MS: '50',
    // Children share compiled code, so a restart costs about a second instead of two.
    NODE_COMPILE_CACHE: join(tmpdir(), 'sluice-run-child-compile-cache'),
    SLUICE_RUN_READ_BATCH_SIZE: '2000',
    SLUICE_LOG_LEVEL: 'error',
  };
  return {
    get started() {
      return started;
    },
    async start(): Promise<void> {
      started += 1;
      const next = spawn(process.execPath, ['test/support/run-child.ts'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = next;
      let err = '';
      next.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        next.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('ready')) resolve();
        });
        next.once('exit', (code) => {
          reject(new Error(`runner child exited (${String(code)}) before it was ready: ${err}`));
        });
      });
    },
    async kill(): Promise<void> {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once('exit', resolve));
      current.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForIdle(flowId: string, timeoutMs: number): Promise<Run[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const runs = await runsOf(t, flowId);
    if (runs.every((run) => run.state !== 'scheduled' && run.state !== 'inProgress')) return runs;
    if (Date.now() > deadline)
      throw new Error(
        `runs still active after ${timeoutMs} ms: ${JSON.stringify(runs.map((r) => [r.state, r.attempt]))}`,
      );
    await sleep(100);
  }
}

/** The flow's active run, if any. */
const activeRun = async (flowId: string): Promise<Run | undefined> =>
  (await runsOf(t, flowId)).find((run) => run.state === 'scheduled' || run.state === 'inProgress');

/**
 * `kills` times: make sure a window is due, start a runner, wait until it has claimed the run, then
 * SIGKILL it — after a random delay in the run (before the first read, mid-read, mid-write, at the
 * commit), or, every fifth time, only once the window has committed, so windows advance and kills
 * also land between a commit and the next claim. Then a last runner finishes the work.
 */
async function killLoop(flowId: string, kills: number, beforeWindow: () => Promise<void>) {
  const children = runnerProcesses();
  const tenant = tenantOf(t);
  const startedAt = Date.now();
  try {
    for (let kill = 0; kill < kills; kill += 1) {
      let run = await activeRun(flowId);
      if (!run) {
        await beforeWindow();
        await sleep(LAG_MS + 20);
        run = await t.sluice.runs.runNow(tenant, flowId);
      }
      const before = run.attempt;
      await children.start();
      const letCommit = kill % 5 === 4;
      const deadline = Date.now() + 30_000;
      for (;;) {
        const current = await t.sluice.runs.load(tenant, run.id);
        const ended = current.state !== 'scheduled' && current.state !== 'inProgress';
        if (ended || (!letCommit && current.attempt > before)) break;
        if (Date.now() > deadline) throw new Error(`run ${run.id} was neither claimed nor ended within 30 s`);
        await sleep(20);
      }
      // The first window is long (the whole table); later ones hold a few thousand rows.
      const span = letCommit ? 300 : run.window.start === null ? 2000 : 500;
      await sleep(Math.floor(Math.random() * span));
      await children.kill();
    }
    await children.start();
    const finalStart = Date.now();
    const runs = await waitForIdle(flowId, 30_000);
    return {
      runs,
      seconds: (Date.now() - startedAt) / 1000,
      finalSeconds: (Date.now() - finalStart) / 1000,
      processes: children.started,
    };
  } finally {
    await children.kill();
  }
}

const takeovers = (runs: readonly Run[]) => runs.reduce((sum, run) => sum + Math.max(0, run.attempt - 1), 0);

describe('SIGKILLed runners', () => {
  it('land a 200,000-row table and the rows added between windows exactly once through twenty kills', async () => {
    const { flowId, dataSetId } = await createFlow(t, {
      connection: databricksConnection(emulator),
      table: 'shop.big',
      columns: ['id', 'name', 'updated'],
      deltaColumn: 'updated',
    });
    let next = ROWS;
    let windows = 0;
    const addRows = async (): Promise<void> => {
      windows += 1;
      if (windows === 1) return;
      const from = next;
      next += 3000;
      // Stamped now: after every committed window end, which trails "now" by the safety lag.
      const stamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
      await emulator.exec(
        `INSERT INTO hive_metastore.shop.big SELECT i::BIGINT, 'n' || i, TIMESTAMP '${stamp}' FROM range(${from}, ${next}) AS r(i)`,
      );
    };
    const { runs, seconds, finalSeconds, processes } = await killLoop(flowId, 20, addRows);
    expect(
      runs.every((run) => run.state === 'success'),
      JSON.stringify(runs.map((r) => [r.state, r.errors])),
    ).toBe(true);
    const [count, distinct, minId, maxId, badNames, badTimes] = await aggregate(
      t,
      `SELECT count(*), count(DISTINCT id), min(id), max(id),
              count(*) FILTER (WHERE name <> 'n' || id),
              count(*) FILTER (WHERE id < ${ROWS} AND epoch(updated) <> ${BASE_EPOCH_S} + id)
       FROM dataset('${dataSetId}')`,
    );
    expect({ count, distinct, minId, maxId, badNames, badTimes }).toEqual({
      count: next,
      distinct: next,
      minId: 0,
      maxId: next - 1,
      badNames: 0,
      badTimes: 0,
    });
    // One committed batch per window, however often the window was interrupted.
    const batches = await t.sluice.datasets.listBatches(tenantOf(t), dataSetId, { start: 0, limit: 1000 });
    const committed = batches.filter((batch) => batch.status === 'success');
    const byStatus: Record<string, number> = {};
    for (const batch of batches) byStatus[batch.status] = (byStatus[batch.status] ?? 0) + 1;
    expect(committed.map((batch) => batch.runId).sort()).toEqual(runs.map((run) => run.id).sort());
    console.info(
      `kill test: ${seconds.toFixed(1)} s (last runner ${finalSeconds.toFixed(1)} s), ${processes} runner processes, ${runs.length} windows, ${takeovers(runs)} takeovers, ${next} rows, batches ${JSON.stringify(byStatus)}`,
    );
    expect(takeovers(runs)).toBeGreaterThan(0);
    // Batches of killed attempts were ended when their runs were taken over; none stays loading.
    expect(byStatus['loading']).toBeUndefined();
  }, 120_000);
});
