import { describe, expect, it } from 'vitest';
import {
  toDateText,
  toDateTimeText,
  toDecimalText,
  toDouble,
  toLongText,
  ValueError,
} from './input-values.ts';

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
});
