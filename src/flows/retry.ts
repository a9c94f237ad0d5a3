/**
 * Retries for source trouble: exponential backoff with full jitter for failures, and waits that do not
 * use up attempts when the source throttles (HTTP 429/503, a cluster starting) — throttling slows a run
 * down, it does not fail it, up to a total wait budget.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from '../domain/errors.ts';

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Total time a run may spend waiting on throttling before it fails. */
  readonly throttleBudgetMs: number;
}

export type Trouble = 'throttled' | 'retryable' | 'fatal';

/** How to treat an error: throttling and transient source failures are retried; the rest fail at once. */
export function classify(error: unknown): Trouble {
  if (!isAppError(error)) return 'retryable';
  if (error.code === 'CONNECTOR-1503-503') return 'throttled';
  if (error.code === 'CONNECTOR-1502-502' || error.code === 'CONNECTOR-1504-504') return 'retryable';
  return 'fatal';
}

export const backoffDelay = (
  policy: RetryPolicy,
  failure: number,
  random: () => number = Math.random,
): number => Math.floor(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failure - 1)));

export interface RetryEvents {
  onRetry?(error: unknown, trouble: Trouble, delayMs: number, failures: number): void;
}

/** Run `attempt` until it succeeds, a fatal error occurs, or retries/throttle budget run out. */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal,
  attempt: () => Promise<T>,
  events: RetryEvents = {},
): Promise<T> {
  let failures = 0;
  let throttled = 0;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted) throw error;
      const trouble = classify(error);
      let delay: number;
      if (trouble === 'throttled') {
        const hinted = isAppError(error) ? Number(error.report['retryAfterMs'] ?? 0) : 0;
        delay = Math.max(hinted, backoffDelay(policy, Math.min(throttled + 1, 6)), policy.baseDelayMs);
        throttled += delay;
        if (throttled > policy.throttleBudgetMs) throw error;
      } else if (trouble === 'retryable') {
        failures += 1;
        if (failures >= policy.attempts) throw error;
        delay = backoffDelay(policy, failures);
      } else {
        throw error;
      }
      events.onRetry?.(error, trouble, delay, failures);
      await sleep(delay, undefined, { signal }).catch(() => undefined);
    }
  }
}
