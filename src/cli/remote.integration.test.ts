/**
 * `sluice --url …` against a real Sluice server on an ephemeral loopback port: an Azure Table Storage
 * table on Azurite, a flow created over HTTP, a run the test's worker executes while the remote CLI
 * watches it. The CLI runs with an environment that has no local data dir in use: nothing in-process.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, seedRowsTable, uniqueTableName } from '../../test/support/azurite.ts';
import { startTestSluice, type TestSluice } from '../../test/support/sluice.ts';
import { atsConnection, createFlow, tenantOf } from '../../test/support/flows.ts';
import { runCli } from './main.ts';

const ROWS = 30;
const table = uniqueTableName('remote');

let t: TestSluice;
let url: string;
let home: string;
let connectionId: string;
let flowId: string;
let datasetName: string;

/** The environment of a remote user: credentials, a profile file of its own, an unused data dir. */
const remoteEnv = (overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  HOME: home,
  SLUICE_DATA_DIR: join(home, 'never-created'),
  SLUICE_PROFILE_FILE: join(home, 'profiles.json'),
  SLUICE_URL: url,
  SLUICE_ACCESS_TOKEN: t.credentials.accessToken,
  SLUICE_API_KEY: t.credentials.apiKey,
  SLUICE_ORG_ID: t.credentials.org.id,
  ...overrides,
});

async function cli(
  argv: string[],
  env: NodeJS.ProcessEnv = remoteEnv(),
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    (line) => out.push(line),
    (line) => err.push(line),
    env,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

let landed: Promise<{ runId: string; watch: Awaited<ReturnType<typeof cli>> }> | undefined;
/** The flow's first window, watched remotely from `scheduled` to `success` (memoised: one run). */
function landRun() {
  landed ??= (async () => {
    const run = await t.sluice.runs.runNow(tenantOf(t), flowId);
    const watching = cli(['runs', 'watch', run.id, '--interval-ms', '50']);
    // The watch polls over HTTP while this process's worker executes the run.
    expect(await t.sluice.worker.runOnce()).toBe(1);
    return { runId: run.id, watch: await watching };
  })();
  return landed;
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'sluice-remote-'));
  await seedRowsTable(table, ROWS);
  t = await startTestSluice({
    env: { SLUICE_RUN_SAFETY_LAG_MS: '0', SLUICE_RUN_HEARTBEAT_MS: '20', SLUICE_RUN_READ_BATCH_SIZE: '5' },
  });
  url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  let dataSetId: string;
  ({ flowId, connectionId, dataSetId } = await createFlow(t, {
    connection: atsConnection(azuriteConnectionString()),
    table,
    columns: ['id', 'name', 'updated'],
    deltaColumn: 'updated',
  }));
  datasetName = (await t.sluice.datasets.get(tenantOf(t), dataSetId)).name;
});

afterAll(async () => {
  await t.close();
  rmSync(home, { recursive: true, force: true });
});

describe('sluice --url (a remote Sluice)', () => {
  it('lists flows from a server on another port, as a table and as JSON', async () => {
    const table = await cli(['--url', url, 'flows', 'list'], remoteEnv({ SLUICE_URL: undefined }));
    expect(table.code, table.err).toBe(0);
    expect(table.out).toMatch(
      new RegExp(`^${flowId}\\s+flow \\S+ \\S+\\s+enabled\\s+every 1 hour from \\S+Z`, 'm'),
    );
    expect(table.out).toContain('1 flow(s)');

    const listed = await cli(['flows', 'list', '--output', 'json']);
    expect(listed.code, listed.err).toBe(0);
    const flows = JSON.parse(listed.out) as { id: string; schedule: { frequency: string } }[];
    expect(flows.map((flow) => [flow.id, flow.schedule.frequency])).toEqual([[flowId, 'hour']]);
    expect(existsSync(join(home, 'never-created'))).toBe(false);
  });

  it('watches a real run to completion over HTTP and shows it', async () => {
    const { runId, watch } = await landRun();
    expect(watch.code, watch.err).toBe(0);
    expect(watch.out).toMatch(new RegExp(`^Watching run ${runId} of flow ${flowId}, window `));
    expect(watch.out).toMatch(
      new RegExp(
        `^run ${runId} success: read 30, written 30, failed 0, duplicates 0 in \\S+ \\([\\d,]+ rows/s\\); window \\[beginning, \\S+Z\\)$`,
        'm',
      ),
    );

    const list = await cli(['runs', 'list', flowId]);
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(
      new RegExp(`^${runId}\\s+success\\s+scheduled\\s+beginning\\s+\\S+Z\\s+30\\s+30\\s+0\\s+\\S+$`, 'm'),
    );
    const show = await cli(['runs', 'show', runId]);
    expect(show.out).toMatch(/records: +read 30, written 30, failed 0, duplicates skipped 0/);
    expect(show.out).toMatch(/batch: +\S+ in dataset [0-9a-f]{24}/);
    const flow = await cli(['flows', 'show', flowId]);
    expect(flow.out).toMatch(new RegExp(`last run: +success at \\S+Z \\(${runId}\\)`));

    // --output json: the final run as one document, no progress lines.
    const again = await cli(['runs', 'watch', runId, '--output', 'json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({
      id: runId,
      state: 'success',
      counters: { outputRecords: 30 },
    });
  });

  it('explores a connection: its tables, a schema and a preview', async () => {
    const root = await cli(['explore', connectionId]);
    expect(root.code, root.err).toBe(0);
    expect(root.out).toMatch(new RegExp(`^${table}\\s+yes\\s+yes$`, 'm'));
    const preview = await cli(['explore', connectionId, table, '--preview', '--count', '3']);
    expect(preview.code, preview.err).toBe(0);
    expect(preview.out).toMatch(/^updated\s+string\s+string \(date-time\)/m);
    expect(preview.out).toContain('3 row(s)');
    const parsed = JSON.parse((await cli(['explore', connectionId, table, '--output', 'json'])).out);
    expect(parsed.schema.columns.map((column: { name: string }) => column.name)).toContain('updated');
  });

  it('queries the landed rows and lists and shows datasets', async () => {
    await landRun();
    const query = await cli(['query', `SELECT count(*) AS n, max(id) AS top FROM dataset('${datasetName}')`]);
    expect(query.code, query.err).toBe(0);
    expect(query.out.split('\n')).toEqual(['n   top', '--  ---', '30  30', '1 row(s)']);
    const asJson = JSON.parse(
      (
        await cli([
          'query',
          `SELECT id FROM dataset('${datasetName}') ORDER BY id`,
          '--max-rows',
          '2',
          '--output',
          'json',
        ])
      ).out,
    );
    // longs travel as strings (exact beyond 2^53), in-process and remote alike.
    expect(asJson).toMatchObject({ rows: [['1'], ['2']], truncated: true });

    const datasets = await cli(['datasets', 'list']);
    expect(datasets.out).toMatch(new RegExp(`^[0-9a-f]{24}\\s+${datasetName}\\s+3\\s+`, 'm'));
    const show = await cli(['datasets', 'show', datasetName]);
    expect(show.code, show.err).toBe(0);
    expect(show.out).toMatch(/^\S{26}\s+success\s+30\s+\d+\s+1\s+\S+Z$/m);
    const bad = await cli(['query', 'DELETE FROM x']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: LAKE-\d+-400: /);
  });

  it('logs in to a profile file of mode 0600 and uses it; refuses it once others may read it', async () => {
    const file = join(home, 'login-profiles.json');
    const bare = { HOME: home, SLUICE_PROFILE_FILE: file, SLUICE_DATA_DIR: join(home, 'never-created') };
    const { accessToken, apiKey, org } = t.credentials;
    const login = await cli(
      ['login', '--url', url, '--token', accessToken, '--api-key', apiKey, '--org', org.id],
      bare,
    );
    expect(login.code, login.err).toBe(0);
    expect(login.out).not.toContain(accessToken);
    expect(login.out).toMatch(/token slt_\w+_\*{8}/);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const listed = await cli(['flows', 'list'], bare);
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain(flowId);
    // Local-only commands say so, and why.
    const orgs = await cli(['orgs', 'list'], bare);
    expect(orgs.code).toBe(1);
    expect(orgs.err).toMatch(/^error: `sluice orgs list` is local-only: .*no route.*without --url/);

    chmodSync(file, 0o644);
    const refused = await cli(['flows', 'list'], bare);
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `error: The profile file ${file} is open to its group or others (mode 644); it holds access tokens. Run: chmod 600 ${file}`,
    );
    chmodSync(file, 0o600);
    // --local ignores the profile: an empty local data dir has no organization yet.
    const local = await cli(['flows', 'list', '--local'], { ...bare, SLUICE_DATA_DIR: join(home, 'local') });
    expect(local.err).toMatch(/There is no organization yet/);
    expect((await cli(['logout'], bare)).out).toContain("Removed profile 'default'");
    expect(existsSync(file) && (await cli(['flows', 'list', '--profile', 'default'], bare)).code).toBe(1);
  });

  it('names the credential to fix on 401/403 and never prints the token', async () => {
    const wrong = `slt_000000000000_${'x'.repeat(40)}`;
    const bad = await cli(['flows', 'list'], remoteEnv({ SLUICE_ACCESS_TOKEN: wrong }));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: GATEWAY-401013-401: /);
    expect(bad.err).toMatch(/hint: the access token was refused .*SLUICE_ACCESS_TOKEN/);
    expect(bad.err).not.toContain(wrong);

    const key = await cli(['flows', 'list'], remoteEnv({ SLUICE_API_KEY: 'slk_000000000000_nope' }));
    expect(key.err).toMatch(/hint: the API key was refused/);

    const problem = await cli(['runs', 'show', 'nope', '--output', 'json']);
    expect(problem.code).toBe(1);
    expect(problem.out).toBe('');
    expect(JSON.parse(problem.err)).toMatchObject({
      status: 404,
      type: expect.stringMatching(/FLOW-1439-404$/),
    });
  });

  it('reports a dead URL in one line and exits 1', async () => {
    const dead = await startTestSluice();
    const deadUrl = await dead.app.listen({ host: '127.0.0.1', port: 0 });
    await dead.close();
    const result = await cli(['flows', 'list'], remoteEnv({ SLUICE_URL: deadUrl }));
    expect(result.code).toBe(1);
    expect(result.err).toBe(`error: Cannot reach Sluice at ${deadUrl} (ECONNREFUSED).`);
  });

  it('runs through the package bin as a child process', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['bin/sluice.js', '--url', url, 'flows', 'list', '--output', 'json'],
      { env: { ...process.env, ...remoteEnv({ SLUICE_URL: undefined }) }, encoding: 'utf8' },
    );
    expect((JSON.parse(stdout) as { id: string }[]).map((flow) => flow.id)).toEqual([flowId]);
  });
});
