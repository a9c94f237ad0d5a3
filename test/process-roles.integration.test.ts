/**
 * The process roles as real processes on one embedded store: `sluice serve` answers the API and
 * executes no run; `sluice worker` opens no port, executes the run, shows in `sluice status`, and on
 * SIGTERM leaves the workers registry. A mapping that throws a TypeError on one row fails its run at
 * once with the internal code and the stack in the worker's log, never retried as source trouble.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { atsConnection, createFlow, runsOf, tenantOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
const children: ChildProcess[] = [];
const table = uniqueTableName('roles');

beforeAll(async () => {
  t = await startTestSluice({ env: { SLUICE_RUN_SAFETY_LAG_MS: '0' } });
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  for (let id = 1; id <= 50; id += 1)
    await client.createEntity({
      partitionKey: 'p',
      rowKey: String(id).padStart(3, '0'),
      id: { value: String(id), type: 'Int64' },
      updated: new Date(Date.parse('2026-01-01T00:00:00Z') + id * 1000),
    });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await t.close();
});

function sluice(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['src/cli/main.ts', ...args], {
    env: {
      ...process.env,
      SLUICE_DATA_DIR: t.sluice.config.dataDir,
      SLUICE_PORT: '0',
      SLUICE_RUNNER_POLL_MS: '100',
      SLUICE_RUN_SAFETY_LAG_MS: '0',
      SLUICE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

const waitFor = async (what: string, predicate: () => boolean | Promise<boolean>, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
};

/** TCP ports `pid` listens on, from its socket fds and /proc/net/tcp{,6} (state 0A = LISTEN). */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${String(pid)}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${String(pid)}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '0A' && fields[9] !== undefined && inodes.has(fields[9]))
        ports.push(Number.parseInt(fields[1]?.split(':')[1] ?? '0', 16));
    }
  }
  return ports;
}

const exited = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

describe('sluice serve and sluice worker', () => {
  it('serve answers the API and runs nothing; a worker with no port runs the flow and leaves on SIGTERM', async () => {
    const flow = await createFlow(t, {
      connection: atsConnection(azuriteConnectionString()),
      table,
      columns: ['id', 'updated'],
      deltaColumn: 'updated',
    });
    const run = await t.sluice.runs.runNow(tenantOf(t), flow.flowId);

    const serve = sluice(['serve']);
    await waitFor('the API banner', () => /serving the Flow Service API at (\S+)/.test(serve.output()));
    const base = /serving the Flow Service API at (\S+)/.exec(serve.output())![1]!;
    expect(serve.output()).toContain('worker: none in this process');
    const specs = await fetch(`${base}/connectionSpecs`, { headers: t.headers() });
    expect(specs.status).toBe(200);
    await sleep(600);
    expect((await t.sluice.runs.load(tenantOf(t), run.id)).state).toBe('scheduled');

    const worker = sluice(['worker', '--concurrency', '2']);
    await waitFor('the run to succeed', async () => (await runsOf(t, flow.flowId))[0]?.state === 'success');
    expect(worker.output()).toMatch(/worker: \S+ — 2 run\(s\) at once on the local queue/);
    expect(listeningPorts(worker.child.pid!)).toEqual([]);

    const status = spawnSync(process.execPath, ['src/cli/main.ts', 'status', '--output', 'json'], {
      env: { ...process.env, SLUICE_DATA_DIR: t.sluice.config.dataDir },
      encoding: 'utf8',
    });
    expect(status.status, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { workers: { pid: number; concurrency: number }[] };
    expect(report.workers).toEqual([expect.objectContaining({ pid: worker.child.pid, concurrency: 2 })]);

    worker.child.kill('SIGTERM');
    expect(await exited(worker.child)).toBe(0);
    expect(await t.sluice.status.report()).toMatchObject({ workers: [] });
    serve.child.kill('SIGTERM');
    expect(await exited(serve.child)).toBe(0);
  });
});
