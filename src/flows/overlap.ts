/**
 * Overlap plus key de-duplication, for sources whose rows have keys (Azure Table Storage: PartitionKey +
 * RowKey). Each run re-reads `overlapMs` before its window start, so a row that became visible late (its
 * delta value already behind the previous window's end) is still landed; rows the previous runs already
 * landed in that zone are recognised by (key, delta value) and dropped. The cursor keeps the entries of
 * the last `overlapMs` of delta time, so the set stays bounded by the source's write rate.
 */
import { hash } from 'node:crypto';
import type { Row } from '../connectors/connector.ts';

export interface OverlapGuard {
  /** True when this row (same key, same delta value) was already landed by an earlier window. */
  alreadyLanded(row: Row): boolean;
  /** Remember a row this run lands. */
  landed(row: Row): void;
  /** The entries to keep in the cursor for the next window (those at or after `zoneStart`). */
  entries(): string[];
}

const deltaMs = (value: unknown): number | undefined => {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
};

export function createOverlapGuard(options: {
  readonly previous: readonly string[];
  readonly keyColumns: readonly string[];
  readonly deltaColumn: string;
  /** The next window's re-read zone starts here: this window's end minus the overlap. */
  readonly zoneStart: number;
}): OverlapGuard {
  const { keyColumns, deltaColumn, zoneStart } = options;
  // One-shot hash (no Hash object per row); the same digest as before, so cursors stay valid: the first
  // 12 bytes in base64url are the first 16 characters of the whole digest's, made as one flat string.
  const hashOf = (row: Row): string =>
    hash(
      'sha1',
      JSON.stringify([...keyColumns.map((column) => row[column] ?? null), row[deltaColumn] ?? null]),
      'buffer',
    ).toString('base64url', 0, 12);
  const previous = new Set(options.previous.map((entry) => entry.slice(entry.indexOf(':') + 1)));
  const kept = options.previous.filter((entry) => Number(entry.slice(0, entry.indexOf(':'))) >= zoneStart);
  // What this run lands in the zone, as a number and a 16-character string per row (≈ 50 bytes); the
  // cursor's `ms:hash` texts are made once, by entries().
  const landedMs: number[] = [];
  const landedHashes: string[] = [];
  return {
    alreadyLanded: (row) => previous.size > 0 && previous.has(hashOf(row)),
    landed(row) {
      const ms = deltaMs(row[deltaColumn]);
      if (ms === undefined || ms < zoneStart) return;
      landedMs.push(ms);
      landedHashes.push(hashOf(row));
    },
    entries: () => [...kept, ...landedMs.map((ms, i) => `${String(ms)}:${landedHashes[i] ?? ''}`)],
  };
}
