import { describe, expect, it } from 'vitest';
import {
  CONVERSION_MATRIX,
  conversionOf,
  ConvertFailure,
  converterFor,
  convertValue,
  parseDateTime,
  type CellValue,
  type SourceColumnType,
} from './conversion.ts';
import { seeded } from '../../test/support/seeded.ts';
import type { DatasetField } from './dataset.ts';
import { NORMALIZED_TYPES, type NormalizedType } from './types.ts';

const field = (type: DatasetField['type'], extra: Partial<DatasetField> = {}): DatasetField => ({
  name: 'f',
  type,
  ...extra,
});
const src = (type: NormalizedType, originalType?: string): SourceColumnType =>
  originalType === undefined ? { type } : { type, originalType };

const value = (
  v: CellValue,
  from: NormalizedType,
  to: DatasetField['type'],
  extra: Partial<DatasetField> = {},
) => {
  const result = convertValue(v, src(from), field(to, extra));
  if (!result.ok) throw new Error(`expected ${String(v)} ${from}→${to} to convert: ${result.reason}`);
  return result.value;
};
const reason = (
  v: CellValue,
  from: NormalizedType,
  to: DatasetField['type'],
  extra: Partial<DatasetField> = {},
) => {
  const result = convertValue(v, src(from), field(to, extra));
  if (result.ok) throw new Error(`expected ${String(v)} ${from}→${to} to fail, got ${String(result.value)}`);
  return result.reason;
};

describe('conversionOf', () => {
  it('allows identity for every type and anything to string', () => {
    for (const type of NORMALIZED_TYPES) {
      expect(conversionOf(src(type), field(type))).toMatchObject({ ok: true });
      expect(conversionOf(src(type), field('string'))).toMatchObject({ ok: true });
    }
    expect(conversionOf(src('binary'), field('string'))).toEqual({ ok: true, rule: 'base64-text' });
    expect(conversionOf(src('integer'), field('string'))).toEqual({ ok: true, rule: 'text' });
  });

  it('names the documented rules', () => {
    expect(conversionOf(src('integer'), field('long'))).toEqual({ ok: true, rule: 'widen' });
    expect(conversionOf(src('long'), field('integer'))).toEqual({ ok: true, rule: 'range-check' });
    expect(conversionOf(src('long'), field('double'))).toEqual({ ok: true, rule: 'precision-warning' });
    expect(conversionOf(src('long'), field('decimal'))).toEqual({ ok: true, rule: 'exact-decimal' });
    expect(conversionOf(src('string'), field('boolean'))).toEqual({ ok: true, rule: 'parse-boolean' });
    expect(conversionOf(src('boolean'), field('integer'))).toEqual({ ok: true, rule: 'boolean-to-integer' });
    expect(conversionOf(src('date'), field('date-time'))).toEqual({ ok: true, rule: 'midnight-utc' });
    expect(conversionOf(src('date-time'), field('date'))).toEqual({ ok: true, rule: 'utc-day' });
  });

  it('refuses what cannot work, with a reason', () => {
    const refused: [SourceColumnType, DatasetField['type']][] = [
      [src('string', 'struct<a:int>'), 'integer'],
      [src('string', 'ARRAY<string>'), 'boolean'],
      [src('string', 'map<string,int>'), 'date'],
      [src('date'), 'boolean'],
      [src('binary'), 'integer'],
      [src('date-time'), 'long'],
      [src('double'), 'boolean'],
      [src('integer'), 'date'],
    ];
    for (const [source, target] of refused) {
      const check = conversionOf(source, field(target));
      expect(check.ok, `${source.originalType ?? source.type}→${target}`).toBe(false);
    }
    expect(conversionOf(src('string', 'struct<a:int>'), field('integer'))).toEqual({
      ok: false,
      reason: expect.stringContaining('struct<a:int> column can only be mapped to a string') as string,
    });
    expect(conversionOf(src('date'), field('boolean'))).toEqual({
      ok: false,
      reason: 'date cannot be converted to boolean; a date column maps to date, date-time, string',
    });
    for (const type of NORMALIZED_TYPES) {
      expect(conversionOf(src(type), field('object', { fields: [] })).ok).toBe(false);
    }
  });

  it('lets complex columns reach string as JSON text', () => {
    expect(conversionOf(src('string', 'struct<a:int>'), field('string'))).toEqual({
      ok: true,
      rule: 'json-text',
    });
    expect(value('{"a":1}', 'string', 'string')).toBe('{"a":1}');
  });

  it('passes null through for every allowed pair', () => {
    for (const from of NORMALIZED_TYPES) {
      for (const to of Object.keys(CONVERSION_MATRIX[from]) as NormalizedType[]) {
        expect(convertValue(null, src(from), field(to))).toEqual({ ok: true, value: null });
      }
    }
  });
});

describe('convertValue: numbers', () => {
  it('keeps longs exact as strings, beyond 2^53', () => {
    expect(value('9007199254740993', 'string', 'long')).toBe('9007199254740993');
    expect(value('9007199254740993', 'long', 'long')).toBe('9007199254740993');
    expect(value('-9223372036854775808', 'string', 'long')).toBe('-9223372036854775808');
    expect(reason('9223372036854775808', 'string', 'long')).toMatch(/long range/);
    expect(value('+0042', 'string', 'long')).toBe('42');
    expect(value(7, 'integer', 'long')).toBe('7');
  });

  it('passes canonical longs through and canonicalises the rest', () => {
    expect(value('-123', 'long', 'long')).toBe('-123');
    expect(value('-0042', 'long', 'long')).toBe('-42');
    expect(value('9223372036854775807', 'long', 'long')).toBe('9223372036854775807');
    expect(reason('9223372036854775808', 'long', 'long')).toMatch(/long range/);
    expect(value('5', 'integer', 'integer')).toBe(5);
  });

  it('range-checks integers', () => {
    expect(value('2147483647', 'long', 'integer')).toBe(2147483647);
    expect(reason('2147483648', 'long', 'integer')).toMatch(/integer range/);
    expect(value('-2147483648', 'string', 'integer')).toBe(-2147483648);
    expect(reason('-2147483649', 'string', 'integer')).toMatch(/integer range/);
  });

  it('parses integer text strictly but trims blanks', () => {
    expect(value(' 12 ', 'string', 'integer')).toBe(12);
    expect(value('   ', 'string', 'integer')).toBeNull();
    expect(reason('1e3', 'string', 'integer')).toMatch(/not an integer/);
    expect(reason('12.0', 'string', 'integer')).toMatch(/not an integer/);
    expect(reason('0x10', 'string', 'long')).toMatch(/not an integer/);
    expect(reason('1,000', 'string', 'long')).toMatch(/not an integer/);
  });

  it('accepts integral doubles and decimals into integer/long, never a fraction', () => {
    expect(value(3, 'double', 'integer')).toBe(3);
    expect(reason(3.5, 'double', 'integer')).toMatch(/fractional/);
    expect(reason('NaN', 'double', 'long')).toMatch(/not a number/);
    expect(value(2 ** 60, 'double', 'long')).toBe('1152921504606846976');
    expect(value('12.000', 'decimal', 'long')).toBe('12');
    expect(reason('12.5', 'decimal', 'integer')).toMatch(/fractional/);
  });

  it('converts booleans to 0/1', () => {
    expect(value(true, 'boolean', 'integer')).toBe(1);
    expect(value(false, 'boolean', 'long')).toBe('0');
  });

  it('parses doubles, keeping the non-finite spellings of the Row contract', () => {
    expect(value(' 1e3 ', 'string', 'double')).toBe(1000);
    expect(value('-0.5', 'string', 'double')).toBe(-0.5);
    expect(value('NaN', 'string', 'double')).toBe('NaN');
    expect(value('Infinity', 'double', 'double')).toBe('Infinity');
    expect(reason('1e400', 'string', 'double')).toMatch(/double range/);
    expect(reason('e5', 'string', 'double')).toMatch(/not a number/);
    expect(reason('abc', 'string', 'double')).toMatch(/not a number/);
    expect(value('9007199254740993', 'long', 'double')).toBe(9007199254740992);
    expect(value(5, 'integer', 'double')).toBe(5);
  });

  it('converts to decimal exactly and refuses rounding or overflow', () => {
    expect(value('123.4500', 'string', 'decimal', { precision: 10, scale: 2 })).toBe('123.45');
    expect(reason('123.456', 'string', 'decimal', { precision: 10, scale: 2 })).toMatch(
      /more than 2 fractional/,
    );
    expect(reason('123456789', 'long', 'decimal', { precision: 10, scale: 2 })).toMatch(
      /needs 9 integer digits/,
    );
    expect(value('12345678', 'long', 'decimal', { precision: 10, scale: 2 })).toBe('12345678');
    expect(value('1.5e3', 'string', 'decimal')).toBe('1500');
    expect(value('-0.000', 'decimal', 'decimal')).toBe('0.000');
    expect(value('-0.010', 'decimal', 'decimal')).toBe('-0.010');
    expect(value(0.1, 'double', 'decimal')).toBe('0.1');
    expect(value(1e-7, 'double', 'decimal')).toBe('0.0000001');
    expect(reason('Infinity', 'double', 'decimal')).toMatch(/no decimal value/);
    expect(value('99999999999999999999999999999.999999999', 'decimal', 'decimal')).toBe(
      '99999999999999999999999999999.999999999',
    );
    expect(reason('1e30', 'string', 'decimal')).toMatch(/needs 31 integer digits/);
    expect(reason('abc', 'string', 'decimal')).toMatch(/not a decimal/);
  });

  it('passes canonical decimal text through exactly as the general parse gives it', () => {
    const { next, digits } = seeded(5);
    for (let i = 0; i < 20_000; i++) {
      const whole = next(4) === 0 ? '0' : `${1 + next(9)}${digits(next(12))}`;
      const text = `${next(3) === 0 && whole !== '0' ? '-' : ''}${whole}${next(2) === 0 ? '' : `.${digits(1 + next(6))}`}`;
      const scale = next(8);
      const extra = { precision: scale + next(14), scale };
      // A leading blank takes the general parse (trimmed), the reference.
      const general = convertValue(` ${text}`, src('string'), field('decimal', extra));
      expect(
        convertValue(text, src('decimal'), field('decimal', extra)),
        `${text} ${JSON.stringify(extra)}`,
      ).toEqual(general);
    }
  });

  it('writes canonical text', () => {
    expect(value(12, 'integer', 'string')).toBe('12');
    expect(value(0.1, 'double', 'string')).toBe('0.1');
    expect(value('NaN', 'double', 'string')).toBe('NaN');
    expect(value(true, 'boolean', 'string')).toBe('true');
    expect(value('9007199254740993', 'long', 'string')).toBe('9007199254740993');
    expect(value('AAEC', 'binary', 'string')).toBe('AAEC');
  });
});

describe('convertValue: booleans, dates, binary', () => {
  it('parses boolean text case-insensitively', () => {
    for (const [text, expected] of [
      ['true', true],
      ['FALSE', false],
      [' Yes ', true],
      ['no', false],
      ['1', true],
      ['0', false],
    ] as const) {
      expect(value(text, 'string', 'boolean')).toBe(expected);
    }
    expect(value('', 'string', 'boolean')).toBeNull();
    expect(reason('maybe', 'string', 'boolean')).toMatch(/not a boolean/);
    expect(reason('2', 'string', 'boolean')).toMatch(/not a boolean/);
  });

  it('parses ISO dates and date-times to UTC', () => {
    expect(value('2024-02-29', 'string', 'date')).toBe('2024-02-29');
    expect(reason('2023-02-29', 'string', 'date')).toMatch(/ISO-8601 date/);
    expect(reason('02/03/2024', 'string', 'date')).toMatch(/ISO-8601 date/);
    expect(value('2024-01-01T23:30:00-02:00', 'string', 'date')).toBe('2024-01-02');
    expect(value('2024-01-01T10:00:00+02:00', 'string', 'date-time')).toBe('2024-01-01T08:00:00.000Z');
    expect(value('2024-01-01 10:00', 'string', 'date-time')).toBe('2024-01-01T10:00:00.000Z');
    expect(value('2024-01-01T10:00:00.1234567Z', 'string', 'date-time')).toBe('2024-01-01T10:00:00.123456Z');
    expect(value('2024-01-01', 'string', 'date-time')).toBe('2024-01-01T00:00:00.000Z');
    expect(reason('2024-01-01T24:00:00Z', 'string', 'date-time')).toMatch(/ISO-8601 date-time/);
    expect(reason('yesterday', 'string', 'date-time')).toMatch(/ISO-8601 date-time/);
  });

  it('passes canonical date-times through and normalises other date-time text', () => {
    expect(value('2024-03-05T12:00:00.000Z', 'date-time', 'date-time')).toBe('2024-03-05T12:00:00.000Z');
    expect(value('2024-03-05T12:00:00+01:00', 'date-time', 'date-time')).toBe('2024-03-05T11:00:00.000Z');
    expect(reason('2024-03-05T12:00', 'string', 'boolean')).toMatch(/not a boolean/);
  });

  it('moves between date and date-time in UTC', () => {
    expect(value('2024-03-05', 'date', 'date-time')).toBe('2024-03-05T00:00:00.000Z');
    expect(value('2024-03-05T23:59:59.999Z', 'date-time', 'date')).toBe('2024-03-05');
    expect(value('2024-03-05T12:00:00.000001Z', 'date-time', 'date-time')).toBe(
      '2024-03-05T12:00:00.000001Z',
    );
    expect(reason(20240305, 'date', 'date-time')).toMatch(/as text/);
  });

  it('checks base64 text for binary', () => {
    expect(value('AAECAw==', 'string', 'binary')).toBe('AAECAw==');
    expect(reason('not base64!', 'string', 'binary')).toMatch(/base64/);
    expect(value('AAECAw==', 'binary', 'binary')).toBe('AAECAw==');
  });

  it('reports a value that breaks its own column type', () => {
    expect(reason('yes', 'boolean', 'boolean')).toMatch(/boolean column delivered a text/);
    expect(reason('abc', 'long', 'long')).toMatch(/not a number/);
  });

  it('exposes a per-column converter', () => {
    const converter = converterFor(src('string'), field('integer'));
    if (!converter.ok) throw new Error(converter.reason);
    expect(converter.rule).toBe('parse-number');
    const [one, none, two, bad] = ['1', null, ' 2', 'x'].map((v) => converter.convert(v));
    expect([one, none, two]).toEqual([1, null, 2]);
    expect(bad).toBeInstanceOf(ConvertFailure);
    expect((bad as ConvertFailure).reason).toMatch(/not an integer/);
    expect(converterFor(src('date'), field('boolean')).ok).toBe(false);
  });

  it('rejects dates outside years 0000-9999 after the offset', () => {
    expect(parseDateTime('9999-12-31T23:00:00-02:00')).toBeUndefined();
    expect(parseDateTime('0000-01-01T00:00:00Z')).toBe('0000-01-01T00:00:00.000Z');
  });
});
