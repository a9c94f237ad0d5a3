/** Runs one autocannon load (warm-up, then a measured phase) in a worker thread and summarises it. */
import { Worker } from 'node:worker_threads';
import type { LoadRequest, LoadResult } from './load-worker.ts';

export type { LoadRequest } from './load-worker.ts';

export interface LoadSummary {
  readonly route: string;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
}

/** The value at quantile q of an ascending array (nearest rank). */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export async function runLoad(route: string, request: LoadRequest): Promise<LoadSummary> {
  const worker = new Worker(new URL('./load-worker.ts', import.meta.url), { workerData: request });
  const result = await new Promise<LoadResult>((resolve, reject) => {
    worker.once('message', (message: LoadResult) => {
      resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      reject(new Error(`load worker exited with code ${code} before reporting`));
    });
  });
  await worker.terminate();
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${route}: ${result.non2xx} non-2xx responses, ${result.errors} errors, ${result.timeouts} timeouts; the figures would be meaningless`,
    );
  }
  return {
    route,
    reqPerSec: result.requests / result.seconds,
    p50Ms: quantile(result.latencies, 0.5),
    p99Ms: quantile(result.latencies, 0.99),
    requests: result.requests,
  };
}
