/**
 * `npm start` and `npm run emulator:databricks` as a person or a script runs them: SIGTERM or SIGINT to
 * the npm process stops everything it started (no `node src/main.ts` left behind), and the emulator
 * removes its temp folder (CA) when it stops.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every live process below `pid`, read from /proc (ppid is the 4th field of /proc/<pid>/stat). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function npm(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  // npm from the PATH, as a newcomer types it; it puts node_modules/.bin (Node 24) first for the script.
  const child = spawn('npm', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitFor(predicate: () => boolean, what: string, output: () => string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${output()}`);
    await sleep(50);
  }
}

async function stopAndCheck(child: ChildProcess, signal: NodeJS.Signals, output: () => string) {
  const started = descendants(child.pid!);
  expect(started.length, 'npm started its script').toBeGreaterThan(0);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
  await waitFor(() => started.every((pid) => !alive(pid)), 'the children to stop', output, 10_000);
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s to npm', (signal) => {
  it('npm start stops with its server', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-signals-'));
    dirs.push(dir);
    const { child, output } = npm(['start'], {
      SLUICE_DATA_DIR: dir,
      SLUICE_PORT: '0',
      SLUICE_RUNNER_ENABLED: 'false',
    });
    await waitFor(() => output().includes('Sluice is serving'), 'the start banner', output);
    await stopAndCheck(child, signal, output);
  });

  it('npm run emulator:databricks stops and removes its temp folder', async () => {
    const { child, output } = npm(['run', 'emulator:databricks', '--', '--port', '0'], {});
    await waitFor(() => /CA file\s+\S+/.test(output()), 'the emulator banner', output);
    const caFile = /CA file\s+(\S+)/.exec(output())![1]!;
    expect(existsSync(caFile)).toBe(true);
    await stopAndCheck(child, signal, output);
    expect(existsSync(dirname(caFile)), `${dirname(caFile)} is left behind`).toBe(false);
  });
});
