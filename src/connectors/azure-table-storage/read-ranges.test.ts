import { describe, expect, it } from 'vitest';
import type { ReadRequest } from '../connector.ts';
import { boundaries, keyRangeCheck, splitByPartitionKey, type PageOf } from './read-ranges.ts';
import type { EdmValue, RawEntity } from './sdk.ts';

/** A page function over sorted keys that answers `PartitionKey ge '…'` as the service does. */
function tableOf(keys: readonly string[]): { page: PageOf; calls: () => number } {
  const sorted = [...keys].sort();
  let calls = 0;
  const page: PageOf = ({ filter }) => {
    calls += 1;
    const from = filter === undefined ? undefined : /^PartitionKey ge '(.*)'$/s.exec(filter)?.[1];
    const bound = from?.replace(/''/g, "'");
    const key = sorted.find((k) => bound === undefined || k >= bound);
    const entities: RawEntity[] =
      key === undefined
        ? []
        : [new Map<string, EdmValue>([['PartitionKey', { type: 'String', value: key }]])];
    return Promise.resolve({ entities, bytes: 0 });
  };
  return { page, calls: () => calls };
}

const request: ReadRequest = { table: 't', columns: [], batchSize: 1000 };

function rangeOf(key: string, ranges: readonly ReadRequest[]): number[] {
  return ranges.flatMap((r, i) => (r.keyRange && keyRangeCheck(r.keyRange).accepts(key) ? [i] : []));
}

describe('PartitionKey ranges', () => {
  it('boundaries are increasing, strictly between the ends, and made of units below U+D800', () => {
    for (const [a, b] of [
      ['p0000', 'p0199'],
      ['00000000-0000', 'ffffffff-ffff'],
      ['a', 'b'],
      ['東京', '東京z'],
      ['x', 'x\u0001'],
    ] as const) {
      const cuts = boundaries(a, b, 8);
      for (const [i, cut] of cuts.entries()) {
        expect(cut > a && cut < b).toBe(true);
        if (i > 0) expect(cut > (cuts[i - 1] ?? '')).toBe(true);
        for (const unit of cut) expect(unit.charCodeAt(0)).toBeLessThan(0xd800);
      }
    }
    expect(boundaries('p0000', 'p0199', 4, 0x80)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^p0/)]),
    );
  });

  it('splits sequential keys evenly and puts every key in exactly one range', async () => {
    const keys = Array.from({ length: 200 }, (_, n) => `p${String(n).padStart(4, '0')}`);
    const { page, calls } = tableOf(keys);
    const ranges = await splitByPartitionKey(page, request, 4);
    expect(ranges).toHaveLength(4);
    expect(ranges[0]?.keyRange?.from).toBeUndefined();
    expect(ranges.at(-1)?.keyRange?.to).toBeUndefined();
    const sizes = ranges.map((_, i) => keys.filter((k) => rangeOf(k, ranges)[0] === i).length);
    for (const key of keys) expect(rangeOf(key, ranges)).toHaveLength(1);
    // Within a quarter of the even share for sequential keys.
    for (const size of sizes) expect(Math.abs(size - 50)).toBeLessThanOrEqual(13);
    expect(calls()).toBeLessThanOrEqual(2 + 8 * 12);
  });

  it('covers keys outside what the probes saw, odd characters included', async () => {
    const keys = ["o'neil", 'a', 'zz', '東京', '😀', '\uffff', 'M'];
    const { page } = tableOf(keys);
    const ranges = await splitByPartitionKey(page, request, 8);
    const unseen = ['', '\u0000', 'aa', 'zzz', '\ud83d', '\uffff\uffff', '京', 'A', "o''"];
    for (const key of [...keys, ...unseen]) expect(rangeOf(key, ranges), key).toHaveLength(1);
  });

  it('does not split a table with one partition key, or an empty one', async () => {
    expect(await splitByPartitionKey(tableOf(['only']).page, request, 4)).toEqual([request]);
    expect(await splitByPartitionKey(tableOf([]).page, request, 4)).toEqual([request]);
  });

  it('quotes keys in OData and checks the same comparison in memory', () => {
    const check = keyRangeCheck({ column: 'PartitionKey', from: "a'b", to: 'c' });
    expect(check.odata).toBe("PartitionKey ge 'a''b' and PartitionKey lt 'c'");
    expect(check.accepts("a'b")).toBe(true);
    expect(check.accepts('c')).toBe(false);
    expect(keyRangeCheck({ column: 'PartitionKey' }).odata).toBeUndefined();
  });
});
