/**
 * `sluice flows …`, `runs …`, `datasets …` and `query` against real entities: an Azure Table Storage
 * table on Azurite, two flows created over HTTP (one tolerating bad rows, one strict), and runs the
 * test executes with `runner.runOnce()` while the CLI watches them.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { azuriteConnectionString, seedRowsTable, uniqueTableName } from '../../test/support/azurite.ts';
import { startTestSluice, type TestSluice } from '../../test/support/sluice.ts';
import type { Terminal } from './context.ts';
import { runCommand } from './main.ts';

const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const ROWS = 30;
const BAD_CODES: Record<number, string> = { 29: 'abc', 30: '1x' };

let t: TestSluice;
const table = uniqueTableName('clirun');
const flows: Record<'tolerant' | 'strict', { flowId: string; dataSetId: string }> = {
  tolerant: { flowId: '', dataSetId: '' },
  strict: { flowId: '', dataSetId: '' },
};

const json = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
  const response = await t.request(method, path, body === undefined ? {} : { body });
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(300);
  return JSON.parse(response.body) as any;
};

interface Started {
  readonly done: Promise<number>;
  readonly out: string[];
  readonly err: string[];
}

function start(argv: string[], io: { terminal?: Terminal; signal?: AbortSignal } = {}): Started {
  const out: string[] = [];
  const err: string[] = [];
  const done = runCommand(t.sluice, argv, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...io,
  });
  return { done, out, err };
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const started = start(argv);
  const code = await started.done;
  return { code, out: started.out.join('\n'), err: started.err.join('\n') };
}

async function waitFor(what: string, predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function fakeTty(): Terminal & { text: () => string } {
  const chunks: string[] = [];
  return { isTTY: true, write: (text) => chunks.push(text), text: () => chunks.join('') };
}

async function setupFlow(name: string, connectionId: string, options?: Record<string, unknown>) {
  const explored = await json('GET', `/connections/${connectionId}/explore?objectType=table&object=${table}`);
  const columns = (
    explored.schema.columns as { name: string; type: string; 'meta:xdmType'?: string }[]
  ).filter((column) => ['id', 'name', 'code', 'updated'].includes(column.name));
  const { id: sourceConnectionId } = await json('POST', '/sourceConnections', {
    name,
    baseConnectionId: connectionId,
    data: { format: 'tabular' },
    params: { tableName: table, columns },
    connectionSpec: { id: ATS, version: '1.0' },
  });
  // `code` is text at the source and a long in the dataset: non-numeric codes are row errors.
  const dataset = await json('POST', '/data/foundation/catalog/dataSets', {
    name: `${name}-codes`,
    schema: {
      fields: columns.map((column) => ({
        name: column.name,
        type: column.name === 'code' ? 'long' : column.type,
        ...(column['meta:xdmType'] === undefined ? {} : { 'meta:xdmType': column['meta:xdmType'] }),
      })),
    },
  });
  const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
  const { id: targetConnectionId } = await json('POST', '/targetConnections', {
    name,
    data: { format: 'parquet_xdm' },
    params: { dataSetId },
    connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
  });
  const { id: flowId } = await json('POST', '/flows', {
    name: `${name} codes`,
    flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
    sourceConnectionIds: [sourceConnectionId],
    targetConnectionIds: [targetConnectionId],
    transformations: [{ name: 'Copy', params: { deltaColumn: { name: 'updated' } } }],
    ...(options === undefined ? {} : { options }),
    // Far in the future: runs come only from `sluice flows run`, never from the scheduler.
    scheduleParams: {
      startTime: String(Math.floor(Date.now() / 1000) + 86_400),
      frequency: 'hour',
      interval: '1',
    },
  });
  return { flowId, dataSetId };
}

// The source table is shared and only read; each test gets its own Sluice, connection and flows.
beforeAll(async () => {
  await seedRowsTable(table, ROWS, (id) => ({ code: BAD_CODES[id] ?? String(id * 10) }));
});

beforeEach(async () => {
  t = await startTestSluice({
    env: { SLUICE_RUN_SAFETY_LAG_MS: '0', SLUICE_RUN_HEARTBEAT_MS: '20', SLUICE_RUN_READ_BATCH_SIZE: '5' },
  });
  const { id: connectionId } = await json('POST', '/connections', {
    name: 'ATS',
    auth: {
      specName: 'Connection String Based Authentication',
      params: { connectionString: azuriteConnectionString() },
    },
    connectionSpec: { id: ATS, version: '1.0' },
  });
  flows.tolerant = await setupFlow('tolerant', connectionId, {
    partialIngestionPercent: 50,
    errorDiagnosticsEnabled: true,
  });
  flows.strict = await setupFlow('strict', connectionId);
});

afterEach(async () => {
  await t.close();
});

/** Runs the tolerant flow's first window to its end (28 of 30 rows land) and returns the run id. */
async function landTolerant(): Promise<string> {
  const created = await cli('flows', 'run', flows.tolerant.flowId);
  expect(created.code, created.err).toBe(0);
  expect(await t.sluice.worker.runOnce()).toBe(1);
  return /^Created run (\S+)$/m.exec(created.out)?.[1] ?? '';
}

describe('sluice flows / runs', () => {
  it('lists flows with their schedule and no run yet', async () => {
    const result = await cli('flows', 'list');
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(
      new RegExp(`^${flows.tolerant.flowId}\\s+tolerant codes\\s+enabled\\s+every 1 hour from \\S+Z$`, 'm'),
    );
    expect(result.out).toMatch(
      new RegExp(`^${flows.strict.flowId}\\s+strict codes\\s+enabled\\s+every 1 hour`, 'm'),
    );
    expect(result.out).toContain('2 flow(s)');
  });

  it('creates the next window and watches it on a TTY while the runner executes it', async () => {
    const created = await cli('flows', 'run', flows.tolerant.flowId);
    expect(created.code, created.err).toBe(0);
    const runId = /^Created run (\S+)$/m.exec(created.out)?.[1] ?? '';
    expect(runId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.out).toMatch(/window: \[beginning, \d{4}-\d\d-\d\dT\S+Z\) on updated/);

    const tty = fakeTty();
    const watch = start(['runs', 'watch', runId], { terminal: tty });
    // The first frame is drawn before any runner has claimed the run.
    await waitFor('the first frame', () => tty.text().includes('\r'));
    expect(tty.text()).toContain('scheduled: waiting for a runner');
    expect(await t.sluice.worker.runOnce()).toBe(1);
    expect(await watch.done, watch.err.join('\n')).toBe(0);
    expect(watch.out[0]).toBe(
      `Watching run ${runId} of flow ${flows.tolerant.flowId}, window ${/window: (.*) on/.exec(created.out)?.[1] ?? ''}`,
    );
    // The final summary is a plain line after the redrawn one has been cleared.
    expect(watch.out[1]).toMatch(
      new RegExp(
        `^run ${runId} success: read 30, written 28, failed 2, duplicates 0 in \\S+ \\([\\d,]+ rows/s\\); window \\[beginning, `,
      ),
    );
    expect(watch.out[2]).toMatch(/^ {2}CONNECTOR-2001-500: 2 row\(s\) could not be converted/);
    expect(tty.text().endsWith('\r')).toBe(true);
  });

  it('shows a run with its counters, errors and row error samples', async () => {
    const runId = await landTolerant();
    const result = await cli('runs', 'show', runId);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(`Run ${runId} of flow ${flows.tolerant.flowId}`);
    expect(result.out).toMatch(/state: +success \(scheduled, attempt 1\)/);
    expect(result.out).toMatch(/records: +read 30, written 28, failed 2, duplicates skipped 0/);
    expect(result.out).toContain(
      '  CONNECTOR-2001-500: 2 row(s) could not be converted and were skipped (within partialIngestionPercent 50%).',
    );
    expect(result.out).toContain('Row errors (first 2):');
    const reason = 'not an integer (only an optional sign and digits are accepted)';
    expect(result.out).toContain(`  p/0029  code    ${reason}\n  p/0030  code    ${reason}`);
    expect(result.out).toMatch(/All row errors: \S+row-errors\.jsonl/);
    expect(result.out).toMatch(new RegExp(`batch: +\\S+ in dataset ${flows.tolerant.dataSetId}`));
  });

  it('lists runs of a flow and shows the flow with its last runs', async () => {
    const runId = await landTolerant();
    const list = await cli('runs', 'list', flows.tolerant.flowId);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(
      new RegExp(`^${runId}\\s+success\\s+scheduled\\s+beginning\\s+\\S+Z\\s+30\\s+28\\s+2\\s+\\S+$`, 'm'),
    );
    expect(list.out).toContain('1 run(s), newest first');

    const show = await cli('flows', 'show', flows.tolerant.flowId);
    expect(show.code, show.err).toBe(0);
    expect(show.out).toContain(`Flow tolerant codes (${flows.tolerant.flowId})`);
    expect(show.out).toMatch(/delta: +updated/);
    expect(show.out).toMatch(/options: +\{"partialIngestionPercent":50,"errorDiagnosticsEnabled":true\}/);
    expect(show.out).toMatch(new RegExp(`last run: +success at \\S+Z \\(${runId}\\)`));
    expect(show.out).toMatch(new RegExp(`^${runId}\\s+success`, 'm'));

    const strict = await cli('flows', 'show', flows.strict.flowId);
    expect(strict.out).toMatch(/last run: +none yet/);
    expect(strict.out).toContain('No runs yet.');
  });

  it('runs --wait follows a failing run without a TTY and exits 1', async () => {
    await landTolerant();
    const run = start(['flows', 'run', flows.strict.flowId, '--wait']);
    await waitFor('the watch to start', () => run.out.some((line) => line.startsWith('Watching run')));
    expect(await t.sluice.worker.runOnce()).toBe(1);
    expect(await run.done).toBe(1);
    const text = run.out.join('\n');
    expect(text).not.toContain('\r');
    expect(text).toMatch(/^scheduled: waiting for a runner/m);
    expect(text).toMatch(/ failed: read 30, written 28, failed 2/);
    expect(text).toMatch(/CONNECTOR-\d+-\d+: 2 of 30 rows .* could not be converted/);

    const list = await cli('flows', 'list');
    expect(list.out).toMatch(new RegExp(`^${flows.tolerant.flowId}.*\\s+success\\s+\\S+Z$`, 'm'));
    expect(list.out).toMatch(new RegExp(`^${flows.strict.flowId}.*\\s+failed\\s+\\S+Z$`, 'm'));
  });

  it('stops watching on interrupt without ending the run; a cancelled run exits 1', async () => {
    const created = await cli('flows', 'run', flows.tolerant.flowId);
    const id = /^Created run (\S+)$/m.exec(created.out)?.[1] ?? '';
    const controller = new AbortController();
    const watch = start(['runs', 'watch', id], { signal: controller.signal });
    await waitFor('the first line', () => watch.out.length >= 2);
    controller.abort();
    expect(await watch.done).toBe(130);
    expect(watch.out.at(-1)).toBe(
      `Stopped watching run ${id}; it is still scheduled (the run was not cancelled).`,
    );

    await json('POST', `/runs/${id}/action?op=cancel`);
    const cancelled = await cli('runs', 'watch', id);
    expect(cancelled.code).toBe(1);
    expect(cancelled.out).toMatch(new RegExp(`^run ${id} cancelled: read 0`, 'm'));
  });

  it('lists datasets and queries the landed rows', async () => {
    await landTolerant();
    const datasets = await cli('datasets', 'list');
    expect(datasets.code, datasets.err).toBe(0);
    expect(datasets.out).toMatch(new RegExp(`^${flows.tolerant.dataSetId}\\s+tolerant-codes\\s+4\\s+`, 'm'));
    const query = await cli(
      'query',
      `SELECT count(*) AS n, sum(code) AS total FROM dataset('tolerant-codes')`,
    );
    expect(query.code, query.err).toBe(0);
    // Rows 1..28 landed with code = id * 10.
    expect(query.out.split('\n')).toEqual(['n   total', '--  -----', '28  4060', '1 row(s)']);
  });

  it('refuses unknown ids with exit 1 and wrong calls with usage and exit 2', async () => {
    const missingRun = await cli('runs', 'show', '00000000-0000-4000-8000-000000000000');
    expect(missingRun.code).toBe(1);
    expect(missingRun.err).toMatch(/^error: .*00000000-0000-4000-8000-000000000000/);
    expect((await cli('runs', 'watch', 'not-a-run')).code).toBe(1);
    const missingFlow = await cli('flows', 'show', 'nope');
    expect(missingFlow.code).toBe(1);
    expect(missingFlow.err).toMatch(/^error: .*nope/);
    expect((await cli('runs', 'list', 'nope')).code).toBe(1);
    expect((await cli('flows', 'run', 'nope')).code).toBe(1);

    for (const argv of [
      ['runs'],
      ['runs', 'show'],
      ['runs', 'watch'],
      ['flows', 'run'],
      ['flows', 'frob'],
      ['query'],
      ['datasets', 'create', 'x'],
    ]) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.err, argv.join(' ')).toMatch(/^usage: sluice /);
    }
    const badLimit = await cli('runs', 'list', flows.tolerant.flowId, '--limit', '0');
    expect(badLimit.code).toBe(2);
    expect(badLimit.err).toContain('--limit must be a positive integer');
    expect((await cli('flows', 'list', '--bogus')).code).toBe(2);
  });
});
