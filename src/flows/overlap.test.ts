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
});
