/**
 * The read streams one worker process runs at once, across all its runs (SLUICE_RUN_READ_STREAMS): each
 * stream of a run, split or not, holds a slot while it reads. A stream beyond the cap waits for a slot
 * (first come, first served); a waiting stream whose run is aborted stops waiting with the abort reason.
 */
export interface ReadSlots {
  /** Resolves with a release function once a slot is held. */
  acquire(signal: AbortSignal): Promise<() => void>;
  /** Slots held now (for tests and status). */
  readonly held: number;
}

export function createReadSlots(capacity: number): ReadSlots {
  let held = 0;
  const waiting: (() => void)[] = [];
  const releaser = (): (() => void) => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = waiting.shift();
      if (next) next();
      else held -= 1;
    };
  };
  return {
    get held() {
      return held;
    },
    acquire(signal) {
      if (signal.aborted) return Promise.reject(signal.reason as Error);
      if (held < capacity) {
        held += 1;
        return Promise.resolve(releaser());
      }
      return new Promise((resolve, reject) => {
        // The slot passes directly from the releasing stream to this one (`held` unchanged).
        const grant = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(releaser());
        };
        const onAbort = (): void => {
          const at = waiting.indexOf(grant);
          if (at >= 0) waiting.splice(at, 1);
          reject(signal.reason as Error);
        };
        waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

/** `source`, read while holding a slot: taken before the first pull, given back when it ends. */
export async function* holdingSlot<T>(
  slots: ReadSlots,
  signal: AbortSignal,
  source: AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const release = await slots.acquire(signal);
  try {
    yield* source;
  } finally {
    release();
  }
}
