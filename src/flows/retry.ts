/**
 * Retries of a run's reads, decided by one rule: the error catalogue's `fault` of the error.
 *
 * - `throttle` (the source said so: HTTP 429/503, Retry-After, a cluster starting): wait — at least the
 *   source's Retry-After — without using up an attempt, until the throttle budget is spent;
 * - `source` (the source or the network failed: a refused connection, a reset, a timeout): retry with
 *   exponential backoff and jitter; the delays of all attempts add up to between half of `spanMs` and
 *   `spanMs`, so the attempts outlast a brief outage instead of spending themselves inside it;
 * - `client` (the flow's configuration is wrong: a missing table, a bad filter): fail at once;
 * - `internal`, or an error that is not an AppError at all (a TypeError, a DuckDB failure): a bug in
 *   Sluice. Fail at once — retrying cannot help, and the caller logs the stack.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isAppError } from '../domain/errors.ts';

export interface RetryPolicy {
  /** Complete reads of the window before a `source` failure ends the run (≥ 1). */
  readonly attempts: number;
  /** What the backoff delays between those attempts add up to, at most (at least half of it). */
  readonly spanMs: number;
  /** Total time a run may spend waiting on throttling before it fails. */
  readonly throttleBudgetMs: number;
}

export type Trouble = 'throttled' | 'retryable' | 'fatal' | 'bug';

/** The one rule: the catalogue's fault of an AppError; anything else is a bug. */
export function classify(error: unknown): Trouble {
  if (!isAppError(error)) return 'bug';
  switch (error.fault) {
    case 'throttle':
      return 'throttled';
    case 'source':
      return 'retryable';
    case 'client':
      return 'fatal';
    case 'internal':
      return 'bug';
  }
}

/**
 * The delay before retry `failure` (1-based) of `policy.attempts - 1` retries: the nominal delays double
 * and add up to `spanMs`; each is drawn from [nominal/2, nominal] ("equal jitter"), so retries of
 * runs that failed together spread out and the total stays within [spanMs/2, spanMs].
 */
export function backoffDelay(
  policy: RetryPolicy,
  failure: number,
  random: () => number = Math.random,
): number {
  const retries = Math.max(1, policy.attempts - 1);
  const nominal = (policy.spanMs * 2 ** (Math.min(failure, retries) - 1)) / (2 ** retries - 1);
  return Math.floor(nominal * (0.5 + 0.5 * random()));
}

/** How long to wait on a throttled answer: the source's Retry-After if it gave one, else a growing pause. */
export function throttleDelay(error: unknown, waitedMs: number): number {
  const hinted = isAppError(error) ? Number(error.report['retryAfterMs'] ?? 0) : 0;
  const pause = Math.min(30_000, Math.max(1_000, waitedMs / 2));
  return Math.max(Number.isFinite(hinted) ? hinted : 0, pause);
}

export interface RetryEvents {
  onRetry?(error: unknown, trouble: 'throttled' | 'retryable', delayMs: number, failures: number): void;
}

/** Run `attempt` until it succeeds, a fatal error or a bug occurs, or the retries/throttle budget run out. */
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
        delay = throttleDelay(error, throttled);
        if (throttled + delay > policy.throttleBudgetMs) throw error;
        throttled += delay;
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
