import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOverlapGuard } from './overlap.ts';

const row = (pk: string, rk: string, ts: string) => ({ PartitionKey: pk, RowKey: rk, Timestamp: ts });
const keys = ['PartitionKey', 'RowKey'];

describe('overlap guard', () => {
  it('recognises rows landed by the previous window and keeps only the recent zone', () => {
    const first = createOverlapGuard({
      previous: [],
      keyColumns: keys,
      deltaColumn: 'Timestamp',
      zoneStart: Date.parse('2026-01-01T00:09:00Z'),
    });
    const early = row('p', '1', '2026-01-01T00:05:00.000001Z');
    const late = row('p', '2', '2026-01-01T00:09:30.5Z');
    first.landed(early);
    first.landed(late);
    expect(first.entries()).toHaveLength(1);

    const second = createOverlapGuard({
      previous: first.entries(),
      keyColumns: keys,
      deltaColumn: 'Timestamp',
      zoneStart: Date.parse('2026-01-01T00:19:00Z'),
    });
    expect(second.alreadyLanded(late)).toBe(true);
    // The same entity updated later has a new delta value: it is a new version, not a duplicate.
    expect(second.alreadyLanded(row('p', '2', '2026-01-01T00:09:31Z'))).toBe(false);
    // A row that became visible late inside the zone was never landed.
    expect(second.alreadyLanded(row('p', '3', '2026-01-01T00:09:40Z'))).toBe(false);
    expect(second.entries()).toEqual([]);
  });

  it("writes cursor entries as `ms:hash`, the first 16 base64url characters of each row's sha1", () => {
    const guard = createOverlapGuard({
      previous: [],
      keyColumns: keys,
      deltaColumn: 'Timestamp',
      zoneStart: 0,
    });
    const rows = Array.from({ length: 50 }, (_, i) =>
      row(`p${i % 3}`, String(i), `2026-01-01T00:00:${String(i).padStart(2, '0')}.5Z`),
    );
    for (const r of rows) guard.landed(r);
    const expected = rows.map((r) => {
      const digest = createHash('sha1')
        .update(JSON.stringify([r.PartitionKey, r.RowKey, r.Timestamp]))
        .digest('base64url');
      return `${Date.parse(r.Timestamp)}:${digest.slice(0, 16)}`;
    });
    expect(guard.entries()).toEqual(expected);
    const next = createOverlapGuard({
      previous: expected,
      keyColumns: keys,
      deltaColumn: 'Timestamp',
      zoneStart: 0,
    });
    expect(rows.every((r) => next.alreadyLanded(r))).toBe(true);
    expect(next.entries()).toEqual(expected);
  });
});
