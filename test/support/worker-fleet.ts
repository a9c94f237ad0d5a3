/**
 * `sluice worker` processes on one store, started, SIGKILLed and restarted by a test or a benchmark.
 * Each is the real CLI (src/cli/main.ts worker) with the caller's SLUICE_* settings; `start` resolves
 * once its banner says it is working.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WorkerFleet {
  /** Starts (or restarts) worker `index`. */
  start(index: number): Promise<void>;
  /** SIGKILLs worker `index` (if running) and waits for it to exit. */
  kill(index: number): Promise<void>;
  /** SIGTERMs every running worker and waits; their runs are handed back. */
  stop(): Promise<void>;
  pid(index: number): number | undefined;
  readonly size: number;
  /** Processes started so far. */
  readonly started: number;
}

/** A PostgreSQL URL whose sessions use `schema` (a test's schema) for Sluice's own tables. */
export const urlWithSchema = (url: string, schema: string): string =>
  `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

export function workerFleet(options: {
  readonly size: number;
  readonly concurrency: number;
  readonly env: Record<string, string>;
}): WorkerFleet {
  const children: (ChildProcess | undefined)[] = Array.from({ length: options.size });
  let started = 0;
  const env = {
    ...process.env,
    // Speeds up the children's start (the TypeScript is compiled once for all of them).
    NODE_COMPILE_CACHE: join(tmpdir(), 'sluice-worker-fleet-compile-cache'),
    SLUICE_LOG_LEVEL: 'error',
    ...options.env,
  };
  const running = (child: ChildProcess | undefined): child is ChildProcess =>
    child !== undefined && child.exitCode === null && child.signalCode === null;

  const kill = async (index: number, signal: NodeJS.Signals): Promise<void> => {
    const child = children[index];
    if (!running(child)) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };

  return {
    size: options.size,
    get started() {
      return started;
    },
    pid: (index) => children[index]?.pid,
    async start(index) {
      await kill(index, 'SIGKILL');
      started += 1;
      const child = spawn(
        process.execPath,
        ['src/cli/main.ts', 'worker', '--concurrency', String(options.concurrency)],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children[index] = child;
      let output = '';
      await new Promise<void>((resolve, reject) => {
        const onData = (chunk: Buffer): void => {
          output += chunk.toString();
          if (output.includes(' run(s) at once on the ')) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => {
          reject(new Error(`worker ${String(index)} exited (${String(code)}) before it started: ${output}`));
        });
      });
    },
    kill: (index) => kill(index, 'SIGKILL'),
    async stop() {
      await Promise.all(children.map((_child, index) => kill(index, 'SIGTERM')));
    },
  };
}
