import { describe, expect, it } from 'vitest';
import { windowCuts } from './read.ts';

const ms = (iso: string): number => Date.parse(iso);

describe('windowCuts (Databricks split reads)', () => {
  it('cuts the span of delta values evenly, inside the window, increasing', () => {
    const cuts = windowCuts(ms('2024-01-01T00:00:00Z'), ms('2024-01-01T00:00:39.999Z'), 4, {
      end: '2024-02-01T00:00:00.000Z',
    });
    expect(cuts).toEqual([
      '2024-01-01T00:00:10.000Z',
      '2024-01-01T00:00:20.000Z',
      '2024-01-01T00:00:30.000Z',
    ]);
  });

  it('keeps cuts strictly inside the window and drops duplicates of a narrow span', () => {
    const window = { start: '2024-01-01T00:00:00.000Z', end: '2024-01-01T00:00:00.002Z' };
    const cuts = windowCuts(ms(window.start), ms(window.start) + 1, 8, window);
    expect(cuts).toEqual(['2024-01-01T00:00:00.001Z']);
    expect(windowCuts(5, 5, 4, { end: '2030-01-01T00:00:00Z' })).toEqual([]);
  });
});
