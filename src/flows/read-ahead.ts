/**
 * Overlaps reading and writing: yields each batch of the source while the next one is already being
 * fetched. At most one batch is in flight beyond the one being processed, so memory stays bounded; when
 * the consumer stops early or throws, the source is released.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  // A failure of the fetch in flight surfaces when it is awaited below, not as an unhandled rejection.
  pending.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const result = await pending;
      if (result.done === true) {
        finished = true;
        return;
      }
      pending = iterator.next();
      pending.catch(() => undefined);
      yield result.value;
    }
  } finally {
    if (!finished) await iterator.return?.(undefined).catch(() => undefined);
  }
}

/**
 * Reads several sources at once (the ranges of a split read) and yields their items as they arrive:
 * exactly one pull in flight per unfinished source, so memory is bounded by one item per source beyond the
 * one being processed. The first failure ends the merge with that error; when the merge ends early (a
 * failure or the consumer stopping), every other source is released.
 */
export async function* mergeStreams<T>(
  sources: readonly AsyncIterable<T>[],
): AsyncGenerator<T, void, undefined> {
  const iterators = sources.map((source) => source[Symbol.asyncIterator]());
  type Pull = Promise<{ readonly at: number; readonly result: IteratorResult<T> }>;
  const pulls = new Map<number, Pull>();
  const pull = (at: number): void => {
    const iterator = iterators[at];
    if (iterator === undefined) return;
    const next: Pull = iterator.next().then((result) => ({ at, result }));
    next.catch(() => undefined);
    pulls.set(at, next);
  };
  iterators.forEach((_, at) => {
    pull(at);
  });
  try {
    while (pulls.size > 0) {
      const { at, result } = await Promise.race(pulls.values());
      if (result.done === true) {
        pulls.delete(at);
        continue;
      }
      pull(at);
      yield result.value;
    }
  } finally {
    // Sources still open (an early end): release them without waiting for their pull in flight.
    for (const at of pulls.keys()) void iterators[at]?.return?.(undefined).catch(() => undefined);
  }
}
