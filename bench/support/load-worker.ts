/**
 * The load generator, in a worker thread so autocannon's client never shares the event loop of the
 * server under test. Latencies are recorded from autocannon's per-response event (fractional ms);
 * autocannon's own histogram keeps whole milliseconds only, too coarse for sub-ms medians.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Sorted response times of the measured phase, in ms. */
  readonly latencies: Float64Array;
}

function run(request: LoadRequest, seconds: number, record: boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: request.url,
        headers: request.headers,
        connections: request.connections,
        duration: seconds,
      },
      (error, result) => {
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          requests: result['2xx'],
          seconds: (performance.now() - started) / 1000,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          latencies: sorted,
        });
      },
    );
    if (record) {
      instance.on('response', (_client, statusCode: number, _bytes, responseTime: number) => {
        if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      });
    }
  });
}

const request = workerData as LoadRequest;
if (request.warmupSeconds > 0) await run(request, request.warmupSeconds, false);
const result = await run(request, request.durationSeconds, true);
parentPort?.postMessage(result, [result.latencies.buffer as ArrayBuffer]);
