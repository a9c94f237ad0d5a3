import { describe, expect, it } from 'vitest';
import { formatTable } from './table.ts';

describe('formatTable', () => {
  it('aligns columns and clips long cells', () => {
    const text = formatTable(
      ['name', 'type'],
      [
        ['id', 'long'],
        ['a'.repeat(70), null],
      ],
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^name +type$/);
    expect(lines[2]).toMatch(/^id +long$/);
    expect(lines[3]?.length).toBeLessThanOrEqual(60);
    expect(lines[3]?.endsWith('…')).toBe(true);
    expect(lines[0]?.indexOf('type')).toBe(lines[2]?.indexOf('long'));
  });
});
