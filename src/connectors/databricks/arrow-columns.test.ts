import { describe, expect, it } from 'vitest';
import { seeded } from '../../../test/support/seeded.ts';
import { toDecimalString, toIsoDateTime } from '../values.ts';
import { dateOfDays, decimalText, int128At, isoOfMicros } from './arrow-columns.ts';

const MIN_MICROS = -62_135_596_800_000_000n; // 0001-01-01T00:00:00Z
const MAX_MICROS = 253_402_300_799_999_999n; // 9999-12-31T23:59:59.999999Z

/** The text Spark's CAST(ts AS STRING) gives for a microsecond instant (the row path's input). */
function sparkText(micros: bigint): string {
  const ms = micros / 1000n - (micros % 1000n < 0n ? 1n : 0n);
  const frac = String(micros - (ms / 1000n - (ms % 1000n < 0n ? 1n : 0n)) * 1_000_000n).padStart(6, '0');
  const base = new Date(Number(ms)).toISOString().slice(0, 19).replace('T', ' ');
  return `${base}.${frac}`;
}

describe('Arrow cells are the row path cells', () => {
  it('a microsecond instant as toIsoDateTime reads Spark text (years 1-9999, both sides of 1970)', () => {
    const { next } = seeded(7);
    const cases = [MIN_MICROS, MAX_MICROS, 0n, -1n, 1n, -1_000n, 999n, 1_000_001n];
    for (let i = 0; i < 2_000; i++) {
      const span = Number(MAX_MICROS - MIN_MICROS) / 1_000_000;
      cases.push(MIN_MICROS + BigInt(next(Math.floor(span))) * 1_000_000n + BigInt(next(1_000_000)));
    }
    for (const micros of cases)
      expect(isoOfMicros(micros), String(micros)).toBe(toIsoDateTime(sparkText(micros)));
  });

  it('a day number as the ISO date', () => {
    expect(dateOfDays(0)).toBe('1970-01-01');
    expect(dateOfDays(-1)).toBe('1969-12-31');
    expect(dateOfDays(-719_162)).toBe('0001-01-01');
    expect(dateOfDays(2_932_896)).toBe('9999-12-31');
  });

  it('a 128-bit unscaled value as decimal text with its scale', () => {
    const { next, digits } = seeded(11);
    for (let i = 0; i < 2_000; i++) {
      const scale = next(20);
      const magnitude = BigInt(digits(1 + next(38)));
      const unscaled = next(2) === 0 ? -magnitude : magnitude;
      const words = new Uint32Array(4);
      const wide = BigInt.asUintN(128, unscaled);
      for (let w = 0; w < 4; w++) words[w] = Number((wide >> BigInt(32 * w)) & 0xffffffffn);
      expect(int128At(words, 0)).toBe(unscaled);
      const text = decimalText(unscaled, scale);
      expect(text.split('.')[1]?.length ?? 0).toBe(scale);
      // Same value as the plain decimal text of unscaled × 10^-scale.
      expect(toDecimalString(`${unscaled.toString()}e-${String(scale)}`)).toBe(text);
    }
  });
});
