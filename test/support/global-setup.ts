/**
 * Starts the real services the suite shares: one in-memory Azurite table service on a free port.
 * Tests reach it through `inject('azurite')` (see test/support/azurite.ts) and create uniquely
 * named tables, so they never see each other's data. PostgreSQL is the machine's server; its
 * absence fails the suite under CI=true (test/support/postgres.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    azurite: { host: string; port: number };
  }
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Azurite exited early: ${output()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/devstoreaccount1/Tables`);
      await response.arrayBuffer();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`Azurite did not listen on ${port} within 20 s: ${output()}`);
}

export async function startAzurite(): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    'node_modules/.bin/azurite-table',
    [
      '--inMemoryPersistence',
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(port),
      '--loose',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--silent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await waitForPort(port, child, () => log);
  return {
    port,
    pid: child.pid ?? 0,
    stop: async () => {
      const running = (): boolean => child.exitCode === null && child.signalCode === null;
      if (!running()) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000)]);
      if (running()) child.kill('SIGKILL');
    },
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azurite', { host: '127.0.0.1', port: azurite.port });
  return azurite.stop;
}
