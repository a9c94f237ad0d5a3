/**
 * Failed authentications are rate-limited per client address, so tokens and API keys cannot be guessed
 * at the speed of the network.
 *
 * Guarantees:
 * - an address that made `limit` failed authentications (an unknown, revoked or expired token; an invalid
 *   API key) within `windowMs` gets FLOW-1489-429 with `Retry-After` (seconds until its oldest counted
 *   failure leaves the window) on every authenticated route, before its credentials are looked at, so a
 *   blocked guesser learns nothing more; missing headers are not guesses and are not counted;
 * - the log says when an address is blocked (with the number of failures) and, once the block is over,
 *   how many requests it refused; credentials never appear in those lines;
 * - memory is bounded: at most `maxAddresses` addresses are tracked (the oldest are forgotten first) and a
 *   sweep every window forgets addresses with no recent failure;
 * - the count is per process: N processes behind a load balancer allow up to N × limit per window.
 *   Behind a proxy every client shares the proxy's address (Sluice does not trust X-Forwarded-For).
 */
import { isAppError } from '../domain/errors.ts';
import { AppError } from '../domain/errors.ts';

export interface AuthThrottleLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface AuthThrottle {
  /** Throws FLOW-1489-429 while `address` is blocked. */
  assertAllowed(address: string): void;
  /** Counts a failed authentication of `address`. */
  failed(address: string): void;
  close(): void;
}

export interface AuthThrottleOptions {
  readonly limit: number;
  readonly windowMs: number;
  readonly log: AuthThrottleLog;
  readonly now?: () => number;
  readonly maxAddresses?: number;
}

interface Entry {
  /** Times of the most recent failures (at most `limit`), oldest first. */
  failures: number[];
  /** Requests refused with 429 during the current block. */
  refused: number;
  blocked: boolean;
}

/** Error codes that mean "the credentials were wrong" (a guess), as opposed to missing. */
export const FAILED_AUTHENTICATION_CODES: ReadonlySet<string> = new Set([
  'GATEWAY-401013-401',
  'GATEWAY-403003-403',
]);

export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const now = options.now ?? Date.now;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const entries = new Map<string, Entry>();

  const recent = (entry: Entry, at: number): number[] =>
    entry.failures.filter((time) => time > at - options.windowMs);

  const endBlock = (address: string, entry: Entry): void => {
    if (!entry.blocked) return;
    entry.blocked = false;
    options.log.info(
      { client: address, refusedRequests: entry.refused },
      'authentication block ended for a client address',
    );
    entry.refused = 0;
  };

  const sweep = setInterval(() => {
    const at = now();
    for (const [address, entry] of entries) {
      entry.failures = recent(entry, at);
      if (entry.failures.length < options.limit) endBlock(address, entry);
      if (entry.failures.length === 0) entries.delete(address);
    }
  }, options.windowMs);
  sweep.unref();

  return {
    assertAllowed(address) {
      const entry = entries.get(address);
      if (entry === undefined) return;
      const at = now();
      entry.failures = recent(entry, at);
      if (entry.failures.length < options.limit) {
        endBlock(address, entry);
        return;
      }
      entry.refused += 1;
      const oldest = entry.failures[0] ?? at;
      const retryAfterSeconds = Math.max(1, Math.ceil((oldest + options.windowMs - at) / 1000));
      throw new AppError(
        'FLOW-1489-429',
        `Too many failed authentications from this address; try again in ${retryAfterSeconds} s with a valid access token and API key.`,
        { retryAfterSeconds },
      );
    },

    failed(address) {
      const at = now();
      let entry = entries.get(address);
      if (entry === undefined) {
        if (entries.size >= maxAddresses) {
          const oldest = entries.keys().next().value;
          if (oldest !== undefined) entries.delete(oldest);
        }
        entry = { failures: [], refused: 0, blocked: false };
        entries.set(address, entry);
      }
      entry.failures = [...recent(entry, at), at].slice(-options.limit);
      if (!entry.blocked && entry.failures.length >= options.limit) {
        entry.blocked = true;
        options.log.warn(
          { client: address, failures: entry.failures.length, windowMs: options.windowMs },
          'too many failed authentications: client address blocked',
        );
      }
    },

    close() {
      clearInterval(sweep);
    },
  };
}

/**
 * Runs `authenticate` for a request from `ip` under the throttle: refused at once when the address is
 * blocked, and counted when it fails the way a wrong credential does.
 */
export async function throttled<T>(
  throttle: AuthThrottle,
  ip: string,
  authenticate: () => Promise<T>,
): Promise<T> {
  throttle.assertAllowed(ip);
  try {
    return await authenticate();
  } catch (error) {
    countFailure(throttle, ip, error);
    throw error;
  }
}

/** Counts `error` against `ip` when it is a wrong credential (a guess), as `throttled` does. */
export function countFailure(throttle: AuthThrottle, ip: string, error: unknown): void {
  if (isAppError(error) && FAILED_AUTHENTICATION_CODES.has(error.code)) throttle.failed(ip);
}
