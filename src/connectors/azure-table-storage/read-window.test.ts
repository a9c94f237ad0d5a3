import { describe, expect, it } from 'vitest';
import type { ColumnSchema } from '../connector.ts';
import { windowCheck } from './read-window.ts';
import type { RawEntity } from './sdk.ts';

const timestamp: ColumnSchema = {
  name: 'Timestamp',
  type: 'date-time',
  xdm: { type: 'string', format: 'date-time' },
  meta: { originalType: 'Edm.DateTime' },
};
const at = (value: string): RawEntity => new Map([['Timestamp', { type: 'DateTime', value }]]);

describe('windowCheck', () => {
  it('pushes a window with a start down, widened to the millisecond on both sides', () => {
    const check = windowCheck(
      { column: 'Timestamp', start: '2024-05-01T10:00:00.000123Z', end: '2024-05-01T11:00:00Z' },
      [timestamp],
    );
    expect(check.odata).toBe(
      "(Timestamp ge datetime'2024-05-01T09:59:59.999Z') and (Timestamp le datetime'2024-05-01T11:00:00.001Z')",
    );
    expect(check.accepts(at('2024-05-01T10:00:00.000123Z'))).toBe(true);
    expect(check.accepts(at('2024-05-01T10:00:00.0001229Z'))).toBe(false);
    expect(check.accepts(at('2024-05-01T11:00:00.000Z'))).toBe(false);
  });

  it('pushes nothing for a window without a start and still accepts only what lies before the end', () => {
    const check = windowCheck({ column: 'Timestamp', end: '2024-05-01T11:00:00Z' }, [timestamp]);
    expect(check.odata).toBeUndefined();
    expect(check.accepts(at('1999-01-01T00:00:00Z'))).toBe(true);
    expect(check.accepts(at('2024-05-01T10:59:59.9999999Z'))).toBe(true);
    expect(check.accepts(at('2024-05-01T11:00:00Z'))).toBe(false);
    expect(check.accepts(new Map())).toBe(false);
  });
});
