import Int64 from 'node-int64';
import { describe, expect, it } from 'vitest';
import {
  column,
  generalIsoDateTime,
  toDecimalString,
  toIsoDateTime,
  toRowValue,
  ValueConversionError,
  xdmFor,
} from './values.ts';
import { orUndefined, seeded } from '../../test/support/seeded.ts';

describe('xdmFor / column', () => {
  it('maps every normalized type to Adobe-style XDM', () => {
    expect(xdmFor('string')).toEqual({ xdm: { type: 'string' } });
    expect(xdmFor('long')).toEqual({ xdm: { type: 'integer' } });
    expect(xdmFor('double')).toEqual({ xdm: { type: 'number' } });
    expect(xdmFor('date')).toEqual({ xdm: { type: 'string', format: 'date' }, 'meta:xdmType': 'date' });
    expect(xdmFor('binary')).toEqual({ xdm: { type: 'string', format: 'byte' } });
  });

  it('builds columns with meta:xdmType only for dates and meta only when given', () => {
    expect(column('ts', 'date-time')).toEqual({
      name: 'ts',
      type: 'date-time',
      xdm: { type: 'string', format: 'date-time' },
      'meta:xdmType': 'date-time',
    });
    const plain = column('n', 'integer');
    expect(plain).toEqual({ name: 'n', type: 'integer', xdm: { type: 'integer' } });
    expect('meta' in plain).toBe(false);
    expect(column('d', 'decimal', { precision: 10, scale: 2 }).meta).toEqual({ precision: 10, scale: 2 });
  });
});

describe('toRowValue', () => {
  it('keeps long values exact as decimal strings', () => {
    expect(toRowValue('long', 9007199254740993n)).toBe('9007199254740993');
    expect(toRowValue('long', '-9223372036854775808')).toBe('-9223372036854775808');
    expect(toRowValue('long', 42)).toBe('42');
    expect(toRowValue('long', { type: 'Int64', value: '9007199254740993' })).toBe('9007199254740993');
    expect(toRowValue('long', new Int64('7fffffffffffffff'))).toBe('9223372036854775807');
    expect(toRowValue('long', new Int64(-5))).toBe('-5');
    expect(() => toRowValue('long', 2 ** 60)).toThrow(ValueConversionError);
    expect(() => toRowValue('long', '1.5')).toThrow(ValueConversionError);
  });

  it('checks integer range', () => {
    expect(toRowValue('integer', 2147483647)).toBe(2147483647);
    expect(toRowValue('integer', '-12')).toBe(-12);
    expect(() => toRowValue('integer', 2147483648)).toThrow(/as integer/);
    expect(() => toRowValue('integer', 'abc')).toThrow(ValueConversionError);
  });

  it('renders decimals without exponent or precision loss', () => {
    expect(toRowValue('decimal', '12345678901234567890.123456789')).toBe('12345678901234567890.123456789');
    expect(toRowValue('decimal', 1e21)).toBe('1000000000000000000000');
    expect(toRowValue('decimal', 1.5e-7)).toBe('0.00000015');
    expect(toRowValue('decimal', '-0.50')).toBe('-0.50');
    expect(toRowValue('decimal', '-0')).toBe('0');
    expect(toDecimalString('.5')).toBe('0.5');
    expect(toDecimalString('1e')).toBeUndefined();
    expect(toDecimalString(Number.NaN)).toBeUndefined();
  });

  it('keeps doubles as numbers and non-finite values as strings', () => {
    expect(toRowValue('double', 1.25)).toBe(1.25);
    expect(toRowValue('double', '2.5')).toBe(2.5);
    expect(toRowValue('double', Number.NaN)).toBe('NaN');
    expect(toRowValue('double', -Infinity)).toBe('-Infinity');
    expect(() => toRowValue('double', 'x')).toThrow(ValueConversionError);
  });

  it('normalises date-times to UTC Z with ms or µs', () => {
    expect(toRowValue('date-time', new Date('2024-02-29T10:00:00.5+02:00'))).toBe('2024-02-29T08:00:00.500Z');
    expect(toRowValue('date-time', '2024-01-01T00:00:00.1234567Z')).toBe('2024-01-01T00:00:00.123456Z');
    expect(toRowValue('date-time', '2024-01-01 23:30:00')).toBe('2024-01-01T23:30:00.000Z');
    expect(toRowValue('date-time', '2024-01-01T23:30:00.000100-01:30')).toBe('2024-01-02T01:00:00.000100Z');
    expect(toRowValue('date-time', '0001-01-01T00:00:00Z')).toBe('0001-01-01T00:00:00.000Z');
    expect(toRowValue('date-time', { type: 'DateTime', value: '2020-05-05T05:05:05Z' })).toBe(
      '2020-05-05T05:05:05.000Z',
    );
    expect(toIsoDateTime('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(toIsoDateTime('2023-01-01T24:00:00Z')).toBeUndefined();
    expect(toIsoDateTime('2024-02-29T23:59:59.1234567Z')).toBe('2024-02-29T23:59:59.123456Z');
    expect(toIsoDateTime('1900-02-29T00:00:00Z')).toBeUndefined();
    expect(() => toRowValue('date-time', 'yesterday')).toThrow(ValueConversionError);
  });

  it('normalises dates', () => {
    expect(toRowValue('date', '2024-03-01')).toBe('2024-03-01');
    expect(toRowValue('date', new Date('2024-03-01T00:00:00Z'))).toBe('2024-03-01');
    expect(() => toRowValue('date', '2024-13-01')).toThrow(ValueConversionError);
  });

  it('encodes binary as base64 and strings verbatim', () => {
    expect(toRowValue('binary', Buffer.from([0, 255, 1]))).toBe('AP8B');
    expect(toRowValue('binary', new Uint8Array([104, 105]))).toBe('aGk=');
    expect(toRowValue('string', 'héllo 🌊')).toBe('héllo 🌊');
    expect(toRowValue('string', 42)).toBe('42');
    expect(toRowValue('string', { a: [1, 2n] })).toBe('{"a":[1,"2"]}');
    expect(toRowValue('boolean', 'true')).toBe(true);
    expect(toRowValue('string', null)).toBeNull();
    expect(toRowValue('long', undefined)).toBeNull();
  });

  it('never echoes a rejected string value in the error', () => {
    expect(() => toRowValue('integer', 'secret-ish')).toThrow(
      'cannot represent a string of 10 characters as integer',
    );
  });
});

describe('toIsoDateTime fast path', () => {
  it('gives what the general parser gives, for canonical and near-canonical texts', () => {
    const { next } = seeded(7);
    const two = (n: number): string => String(n).padStart(2, '0');
    for (let i = 0; i < 20_000; i++) {
      const year = String([0, 1, 99, 1900, 1970, 2000, 2024, 2100, 9999][next(9)] ?? 2024).padStart(4, '0');
      const fraction = ['', '.', '.1', '.123', '.000', '.123456', '.1234567', '.000100', '.999999999'][
        next(9)
      ];
      const text = `${year}-${two(next(14))}-${two(next(33))}${next(2) === 0 ? 'T' : ' '}${two(next(26))}:${two(next(62))}:${two(next(62))}${fraction ?? ''}${['Z', 'Z', 'z', '+01:00', ''][next(5)] ?? 'Z'}`;
      expect(toIsoDateTime(text), text).toBe(generalIsoDateTime(text));
      const date = text.slice(0, 10);
      expect(
        orUndefined(() => toRowValue('date', date)),
        date,
      ).toBe(generalIsoDateTime(`${date}T00:00:00Z`) === undefined ? undefined : date);
    }
  });
});

describe('canonical number texts', () => {
  it('pass through as the general conversion would give them', () => {
    const { next, digits } = seeded(3);
    for (let i = 0; i < 20_000; i++) {
      const whole = ['0', '00', digits(1 + next(20))][next(3)] ?? '0';
      const text = `${['', '-', '+', ' '][next(4)] ?? ''}${whole}${['', `.${digits(1 + next(4))}`, '.'][next(3)] ?? ''}`;
      const long = /^[+-]?\d+$/.test(text.trim()) ? BigInt(text.trim()).toString() : undefined;
      expect(
        orUndefined(() => toRowValue('long', text)),
        text,
      ).toBe(long);
      const decimal = toDecimalString(text);
      expect(
        orUndefined(() => toRowValue('decimal', text)),
        text,
      ).toBe(decimal);
    }
  });
});
