/**
 * The server's start banner says which mode applies and why: development only for a server bound to
 * loopback, production whenever it listens on anything else, SLUICE_MODE when set. The health endpoints
 * answer over real HTTP without credentials. Each case starts `node src/main.ts` and stops it (its own PID).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';

let child: ChildProcess | undefined;
const dirs: string[] = [];
afterEach(async () => {
  if (child?.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  child = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>): Promise<{ output: string; base: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-banner-'));
  dirs.push(dir);
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('SLUICE_')),
  );
  child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      ...clean,
      SLUICE_DATA_DIR: dir,
      SLUICE_PORT: '0',
      SLUICE_RUNNER_ENABLED: 'false',
      SLUICE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 30_000;
  while (!/Try: curl|Organizations:/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no banner:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const base =
    /Sluice is serving the Flow Service API at (http:\/\/\S+?)\/data\/foundation\/flowservice/.exec(
      output,
    )?.[1] ?? '';
  return { output, base };
}

it('is development, and says so, for a server bound to loopback', async () => {
  const { output, base } = await start({ SLUICE_HOST: '127.0.0.1' });
  expect(output).toContain('mode: development (the default for a server bound to loopback (127.0.0.1)');
  expect(output).toContain('egress: private and loopback addresses are ALLOWED');
  const alive = await fetch(`${base}/healthz`);
  expect(alive.status).toBe(200);
  expect(await alive.json()).toEqual({ status: 'ok' });
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({
    status: 'ready',
    checks: { store: 'ok', migrations: 'ok', queue: 'ok' },
  });
});

it('is production, and says why, for a server listening on all interfaces', async () => {
  const { output } = await start({ SLUICE_HOST: '0.0.0.0' });
  expect(output).toContain(
    'mode: production (the default for a server listening on 0.0.0.0, which is not loopback)',
  );
  expect(output).toContain('egress: private, loopback and link-local addresses are denied');
});

it('follows SLUICE_MODE, and warns about development beyond loopback', async () => {
  const { output } = await start({ SLUICE_HOST: '0.0.0.0', SLUICE_MODE: 'development' });
  expect(output).toContain('mode: development (set by SLUICE_MODE)');
  expect(output).toContain('warning: development mode on 0.0.0.0');
});
