import { describe, expect, it } from 'vitest';
import {
  daysOf,
  fastDays,
  fastLong,
  fastMicros,
  fastUnscaled,
  longOf,
  microsOf,
  unscaledOf,
  toDateText,
  toDateTimeText,
  toDecimalText,
  toDouble,
  toLongText,
  ValueError,
} from './input-values.ts';
import { seeded } from '../../test/support/seeded.ts';

describe('input values', () => {
  it.each([
    ['9.995', 5, 2, '10.00'],
    ['-9.995', 5, 2, '-10.00'],
    ['-0.001', 5, 2, '0.00'],
    ['.5', 3, 0, '1'],
    ['007.10', 4, 2, '7.10'],
    [1e-7, 10, 9, '0.000000100'],
    [12345678901234567890n, 38, 0, '12345678901234567890'],
    ['0.05', 2, 2, '0.05'],
  ])('decimal %s as (%i,%i) is %s', (value, precision, scale, expected) => {
    expect(toDecimalText(value, 'd', precision, scale)).toBe(expected);
  });

  it.each([
    ['999.995', 5, 2],
    ['1.05', 2, 2],
    ['1e5', 10, 2],
    ['', 5, 2],
    ['.', 5, 2],
    [Infinity, 5, 2],
  ])('refuses decimal %s as (%i,%i)', (value, precision, scale) => {
    expect(() => toDecimalText(value, 'd', precision, scale)).toThrow(ValueError);
  });

  it('normalises date-times to text the engine reads as one instant', () => {
    expect(toDateTimeText('2024-01-02T03:04:05.123Z', 't')).toBe('2024-01-02T03:04:05.123Z');
    expect(toDateTimeText('2024-01-02 03:04:05,1234567', 't')).toBe('2024-01-02T03:04:05.123456Z');
    expect(toDateTimeText('2024-01-02T03:04:05+0530', 't')).toBe('2024-01-02T03:04:05+05:30');
    expect(toDateTimeText('2024-01-02T03:04:05-08', 't')).toBe('2024-01-02T03:04:05-08:00');
    expect(toDateTimeText('2024-02-29', 't')).toBe('2024-02-29T00:00:00Z');
    expect(toDateTimeText(0, 't')).toBe('1970-01-01T00:00:00.000Z');
    for (const bad of [
      '2023-02-29T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '0000-01-01',
      'yesterday',
      '2024-01-01T00:00:00+19:00',
      {},
    ]) {
      expect(() => toDateTimeText(bad, 't'), JSON.stringify(bad)).toThrow(ValueError);
    }
  });

  it('checks dates, longs and doubles', () => {
    expect(toDateText('2000-02-29', 'd')).toBe('2000-02-29');
    expect(() => toDateText('1900-02-29', 'd')).toThrow(ValueError);
    expect(toLongText('-9223372036854775808', 'l')).toBe('-9223372036854775808');
    expect(() => toLongText('9223372036854775808', 'l')).toThrow(ValueError);
    expect(() => toLongText(2 ** 53, 'l')).toThrow(ValueError);
    expect(toLongText('000000000000000000001', 'l')).toBe('000000000000000000001');
    expect(toDouble('-Infinity', 'x')).toBe(-Infinity);
    expect(Number.isNaN(toDouble('NaN', 'x'))).toBe(true);
    expect(() => toDouble('abc', 'x')).toThrow(/x: "abc" is not a number/);
  });

  it('stages date-times, dates, longs and decimals as the engine stores them', () => {
    expect(microsOf('1970-01-01T00:00:00Z')).toBe(0);
    expect(microsOf('2024-01-02T03:04:05.123456Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 123) * 1000 + 456);
    expect(microsOf('2024-01-02T03:04:05+05:30')).toBe(Date.UTC(2024, 0, 1, 21, 34, 5) * 1000);
    expect(microsOf('0001-01-01T00:00:00Z')).toBe(-62_135_596_800_000_000n);
    expect(daysOf('1969-12-31')).toBe(-1);
    expect(longOf('9223372036854775807')).toBe(9_223_372_036_854_775_807n);
    expect(unscaledOf('-12.30')).toBe(-1230);
  });

  // The fast paths must agree with the full checks on every value they accept, and leave to them the rest.
  const { next: random } = seeded(13);
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');

  it('fast date-time and date paths agree with the full check (5,000 random values)', () => {
    for (let k = 0; k < 5_000; k += 1) {
      const y = 1 + random(9999);
      const date = `${pad(y, 4)}-${pad(1 + random(12), 2)}-${pad(1 + random(31), 2)}`;
      const fraction = random(2) === 0 ? pad(random(1000), 3) : pad(random(1_000_000), 6);
      const text = `${date}T${pad(random(25), 2)}:${pad(random(61), 2)}:${pad(random(61), 2)}.${fraction}Z`;
      let full: number | bigint | undefined;
      try {
        full = microsOf(toDateTimeText(text, 't'));
      } catch {
        full = undefined;
      }
      const fast = fastMicros(text);
      if (fast !== undefined) expect(fast, text).toBe(full);
      else if (full !== undefined)
        expect(typeof full === 'bigint' || Math.abs(full) >= 2 ** 53, text).toBe(true);
      let day: number | undefined;
      try {
        day = daysOf(toDateText(date, 'd'));
      } catch {
        day = undefined;
      }
      expect(fastDays(date), date).toBe(day);
    }
    for (const odd of [
      '2024-01-02 03:04:05.123Z',
      '2024-01-02T03:04:05.123+01:00',
      '2024-1-02',
      '2023-02-29',
    ])
      expect(fastMicros(odd) ?? fastDays(odd), odd).toBeUndefined();
  });

  it('fast long and decimal paths agree with the full check (5,000 random values)', () => {
    for (let k = 0; k < 5_000; k += 1) {
      const sign = random(2) === 0 ? '-' : '';
      const long = `${sign}${String(random(10 ** random(16)))}`;
      expect(fastLong(long) ?? longOf(toLongText(long, 'l')), long).toBe(longOf(toLongText(long, 'l')));
      const [precision, scale] = [1 + random(18), 0];
      const s = Math.min(scale + random(6), precision);
      const wholeDigits = random(Math.max(precision - s, 1) + 2);
      const text = `${sign}${wholeDigits === 0 ? '0' : String(random(10 ** wholeDigits))}${s === 0 ? '' : `.${pad(random(10 ** s), s)}`}`;
      let full: number | bigint | undefined;
      try {
        full = unscaledOf(toDecimalText(text, 'd', precision, s));
      } catch {
        full = undefined;
      }
      const fast = fastUnscaled(text, precision, s);
      if (fast !== undefined)
        expect(fast === 0 ? 0 : fast, `${text} (${precision},${s})`).toBe(full === 0 ? 0 : full);
    }
    expect(fastLong('+5')).toBeUndefined();
    expect(fastUnscaled('1.05', 2, 2)).toBeUndefined();
    expect(fastUnscaled('0.05', 2, 2)).toBe(5);
  });
});
