import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.ts';

async function* numbers(log: string[], count: number, failAt?: number): AsyncGenerator<number> {
  try {
    for (let index = 0; index < count; index += 1) {
      log.push(`fetch ${index}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (index === failAt) throw new Error(`source failed at ${index}`);
      yield index;
    }
  } finally {
    log.push('released');
  }
}

describe('readAhead', () => {
  it('yields every batch in order while fetching the next one', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const value of readAhead(numbers(log, 4))) {
      log.push(`process ${value}`);
      seen.push(value);
    }
    expect(seen).toEqual([0, 1, 2, 3]);
    // The next fetch starts before the current batch is processed.
    expect(log.indexOf('fetch 1')).toBeLessThan(log.indexOf('process 0'));
    expect(log.filter((line) => line === 'released')).toHaveLength(1);
  });

  it('surfaces a source failure to the consumer', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const value of readAhead(numbers(log, 5, 2))) seen.push(value);
      })(),
    ).rejects.toThrow('source failed at 2');
    expect(seen).toEqual([0, 1]);
  });

  it('releases the source when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const value of readAhead(numbers(log, 100))) {
      if (value === 1) break;
    }
    expect(log).toContain('released');
    expect(log.filter((line) => line.startsWith('fetch')).length).toBeLessThanOrEqual(3);
  });
});
