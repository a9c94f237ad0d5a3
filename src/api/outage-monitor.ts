/**
 * Watches one dependency (the store) through an outage, so that an outage is logged as one event rather
 * than as one stack per request.
 *
 * Guarantees:
 * - the first `failed()` while the dependency was considered reachable writes ONE warning line; further
 *   failures during the same outage are only counted;
 * - while it is unreachable, `probe` is tried every `intervalMs` (one probe at a time, each bounded by
 *   `timeoutMs`); the first probe that succeeds writes ONE info line (with the outage's duration and the
 *   number of failed requests) and stops the probing, so recovery needs no restart and no traffic;
 * - `check()` (the readiness check) also probes, and reports the outcome to the same state;
 * - no line holds an error message, a host or a password: only the dependency's name and counts;
 * - timers are unref'd and `close()` stops them, so a monitor never keeps a process alive.
 */

export interface OutageLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export interface OutageMonitor {
  readonly reachable: boolean;
  /** A request failed because the dependency is unreachable. */
  failed(): void;
  /** Probes now (bounded by the timeout); true when the dependency answered. */
  check(): Promise<boolean>;
  close(): void;
}

export interface OutageMonitorOptions {
  readonly name: string;
  readonly probe: () => Promise<unknown>;
  readonly log: OutageLog;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Runs `work` with a time limit; the work itself is not cancelled, only no longer waited for. */
export async function withTimeout<T>(work: () => Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        timer.unref();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export function createOutageMonitor(options: OutageMonitorOptions): OutageMonitor {
  const intervalMs = options.intervalMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const now = options.now ?? Date.now;
  let reachable = true;
  let since = 0;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<boolean> | undefined;
  let closed = false;

  const down = (): void => {
    if (!reachable) return;
    reachable = false;
    since = now();
    options.log.warn(
      { dependency: options.name },
      `${options.name} unreachable: answering 503 until it is back`,
    );
    if (!closed && timer === undefined) {
      timer = setInterval(() => {
        void check();
      }, intervalMs);
      timer.unref();
    }
  };

  const up = (): void => {
    if (reachable) return;
    reachable = true;
    clearInterval(timer);
    timer = undefined;
    options.log.info(
      { dependency: options.name, outageMs: now() - since, failedRequests: failures },
      `${options.name} reachable again`,
    );
    failures = 0;
  };

  const check = (): Promise<boolean> => {
    inFlight ??= withTimeout(options.probe, timeoutMs)
      .then(
        () => {
          up();
          return true;
        },
        () => {
          down();
          return false;
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    get reachable() {
      return reachable;
    },
    failed() {
      failures += 1;
      down();
    },
    check,
    close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
}
