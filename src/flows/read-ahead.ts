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
