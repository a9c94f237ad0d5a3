/**
 * Cold start of the embedded default: spawn `node src/main.ts` (SQLite store + local lake in a temp data
 * dir, a free loopback port, the built UI) and time from the spawn until the first successful
 * `GET /readyz` and the first `GET /` that returns the UI's index.html. `npm start` first runs
 * `scripts/build-ui.ts` (the UI freshness check); its own time is measured the same way, alone. The
 * probes run every 10 ms (a tighter loop competes with the starting process for the 2 cores).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/support/free-port.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TIMEOUT_MS = 60_000;

export interface StartSample {
  /** ms from spawn to the first 200 of /readyz. */
  readonly readyMs: number;
  /** ms from spawn to the first 200 of / with the UI's HTML. */
  readonly uiMs: number;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

async function ok(url: string, html: boolean): Promise<boolean> {
  try {
    const response = await fetch(url);
    const text = await response.text();
    return response.status === 200 && (!html || /<html/i.test(text));
  } catch {
    return false;
  }
}

/** One start of `node src/main.ts` on `dataDir`, stopped with SIGTERM once both answers came. */
export async function timeStart(dataDir: string, env: Record<string, string> = {}): Promise<StartSample> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      SLUICE_DATA_DIR: dataDir,
      SLUICE_PORT: String(port),
      SLUICE_HOST: '127.0.0.1',
      SLUICE_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  let readyMs: number | undefined;
  let uiMs: number | undefined;
  try {
    while (readyMs === undefined || uiMs === undefined) {
      if (child.exitCode !== null) throw new Error(`sluice exited with ${child.exitCode}: ${stderr}`);
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`no ready answer in ${TIMEOUT_MS} ms`);
      if (readyMs === undefined && (await ok(`${base}/readyz`, false))) readyMs = performance.now() - started;
      if (uiMs === undefined && (await ok(`${base}/`, true))) uiMs = performance.now() - started;
      if (readyMs === undefined || uiMs === undefined) await sleep(10);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return { readyMs, uiMs };
}

/** Wall time of `node scripts/build-ui.ts` when the UI is already built (what `npm start` adds). */
export async function timeUiCheck(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'build-ui.ts')], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`scripts/build-ui.ts exited with ${code}`);
  return performance.now() - started;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
};

export interface ColdStartReport {
  /** The first start on a new data dir (creates the store, migrates, bootstraps the org). */
  readonly fresh: StartSample;
  /** Later starts on that data dir (the usual restart), compile cache warm. */
  readonly restarts: readonly StartSample[];
  /** One restart with NODE_DISABLE_COMPILE_CACHE=1: every module compiled, as on a first start after install. */
  readonly noCompileCache: StartSample;
  /** `scripts/build-ui.ts` alone (samples), the check `npm start` runs before main.ts. */
  readonly uiCheckMs: readonly number[];
}

export async function measureColdStart(samples: number): Promise<ColdStartReport> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cold-'));
  try {
    await timeStart(join(dir, 'warm-up')); // fills the compile cache as an earlier start would have
    const fresh = await timeStart(join(dir, 'data'));
    const restarts: StartSample[] = [];
    for (let i = 0; i < samples; i += 1) restarts.push(await timeStart(join(dir, 'data')));
    const noCompileCache = await timeStart(join(dir, 'data'), { NODE_DISABLE_COMPILE_CACHE: '1' });
    const uiCheckMs: number[] = [];
    for (let i = 0; i < Math.min(samples, 3); i += 1) uiCheckMs.push(await timeUiCheck());
    return { fresh, restarts, noCompileCache, uiCheckMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
