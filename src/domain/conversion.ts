/**
 * The conversion matrix between a source column type and a dataset field type (docs/mapping.md), and
 * the value conversion the flow runner applies to every mapped cell.
 *
 * Values follow the `Row` contract of connectors: `long` and `decimal` are exact decimal strings,
 * `integer` and `double` JSON numbers (non-finite doubles as "NaN"/"Infinity"/"-Infinity"), `date` is
 * `YYYY-MM-DD`, `date-time` ISO-8601 UTC, `binary` base64, complex source types JSON text.
 *
 * Guarantees: `null` converts to `null` for every allowed pair; no conversion rounds silently except the
 * two `precision-warning` rules (long/decimal → double); a value that does not fit (range, scale,
 * unparsable text) is a row error naming why, never the value itself. Text is trimmed before parsing and
 * blank text becomes `null` for every non-string target.
 */
import type { DatasetField } from './dataset.ts';
import type { NormalizedType } from './types.ts';

export type CellValue = string | number | boolean | null;

export interface SourceColumnType {
  readonly type: NormalizedType;
  /** The source's own type (Spark `struct<a:int>`, `Edm.Int64`); complex types surface as `string`. */
  readonly originalType?: string;
}

export type ConversionRule =
  | 'identity'
  | 'widen'
  | 'range-check'
  | 'precision-warning'
  | 'integral-check'
  | 'exact-decimal'
  | 'parse-boolean'
  | 'parse-number'
  | 'parse-date'
  | 'parse-date-time'
  | 'parse-base64'
  | 'text'
  | 'base64-text'
  | 'json-text'
  | 'boolean-to-integer'
  | 'midnight-utc'
  | 'utc-day';

export type ConversionCheck = { ok: true; rule: ConversionRule } | { ok: false; reason: string };
export type ConvertResult = { ok: true; value: CellValue } | { ok: false; reason: string };

/** Why a cell did not convert: what a converter returns instead of the value (no wrapper per good cell). */
export class ConvertFailure {
  readonly reason: string;
  constructor(reason: string) {
    this.reason = reason;
  }
}

/** The converted value, or a ConvertFailure. */
export type Converted = CellValue | ConvertFailure;
/** The per-cell function of a column: hot, so it answers the value itself (or a ConvertFailure). */
export type Converter = (value: CellValue) => Converted;

/** The matrix: source type → target type → rule. A missing entry is a conversion that cannot work. */
export const CONVERSION_MATRIX: Readonly<
  Record<NormalizedType, Partial<Record<NormalizedType, ConversionRule>>>
> = {
  string: {
    string: 'identity',
    boolean: 'parse-boolean',
    integer: 'parse-number',
    long: 'parse-number',
    double: 'parse-number',
    decimal: 'parse-number',
    date: 'parse-date',
    'date-time': 'parse-date-time',
    binary: 'parse-base64',
  },
  boolean: { boolean: 'identity', integer: 'boolean-to-integer', long: 'boolean-to-integer', string: 'text' },
  integer: { integer: 'identity', long: 'widen', double: 'widen', decimal: 'exact-decimal', string: 'text' },
  long: {
    long: 'identity',
    integer: 'range-check',
    double: 'precision-warning',
    decimal: 'exact-decimal',
    string: 'text',
  },
  double: {
    double: 'identity',
    integer: 'integral-check',
    long: 'integral-check',
    decimal: 'exact-decimal',
    string: 'text',
  },
  decimal: {
    decimal: 'exact-decimal',
    integer: 'integral-check',
    long: 'integral-check',
    double: 'precision-warning',
    string: 'text',
  },
  date: { date: 'identity', 'date-time': 'midnight-utc', string: 'text' },
  'date-time': { 'date-time': 'identity', date: 'utc-day', string: 'text' },
  binary: { binary: 'identity', string: 'base64-text' },
};

const COMPLEX = /^\s*(struct|array|map)\b/i;

/** True for Spark-style complex columns (struct/array/map), carried as JSON text. */
export const isComplexSource = (source: SourceColumnType): boolean =>
  source.originalType !== undefined && COMPLEX.test(source.originalType);

/** Whether values of `source` can become values of `target`, and by which rule. */
export function conversionOf(source: SourceColumnType, target: DatasetField): ConversionCheck {
  if (target.type === 'object') {
    return { ok: false, reason: 'an object field receives no value itself; map its leaf fields instead' };
  }
  if (isComplexSource(source)) {
    return target.type === 'string'
      ? { ok: true, rule: 'json-text' }
      : {
          ok: false,
          reason: `a complex ${source.originalType?.trim() ?? 'source'} column can only be mapped to a string field (as JSON text)`,
        };
  }
  const rule = CONVERSION_MATRIX[source.type][target.type];
  if (rule !== undefined) return { ok: true, rule };
  const allowed = Object.keys(CONVERSION_MATRIX[source.type]).join(', ');
  return {
    ok: false,
    reason: `${source.type} cannot be converted to ${target.type}; a ${source.type} column maps to ${allowed}`,
  };
}

/** Convert one cell; `null` passes through for any allowed pair. */
export function convertValue(
  value: CellValue,
  source: SourceColumnType,
  target: DatasetField,
): ConvertResult {
  const converter = converterFor(source, target);
  if (!converter.ok) return { ok: false, reason: converter.reason };
  const result = converter.convert(value);
  return result instanceof ConvertFailure
    ? { ok: false, reason: result.reason }
    : { ok: true, value: result };
}

/** The per-cell function for one (source, target) pair, decided once per column, applied per row. */
export function converterFor(
  source: SourceColumnType,
  target: DatasetField,
): { ok: true; rule: ConversionRule; convert: Converter } | { ok: false; reason: string } {
  const check = conversionOf(source, target);
  if (!check.ok) return check;
  const convert = buildConverter(check.rule, source.type, target);
  return { ok: true, rule: check.rule, convert: (value) => (value === null ? NULL : convert(value)) };
}

const NULL: Converted = null;
const ok = (value: CellValue): Converted => value;
const fail = (reason: string): Converted => new ConvertFailure(reason);
const kind = (value: CellValue): string => (typeof value === 'string' ? 'text' : typeof value);

type NonNull = Exclude<CellValue, null>;

function buildConverter(
  rule: ConversionRule,
  from: NormalizedType,
  target: DatasetField,
): (value: NonNull) => Converted {
  const to = target.type as NormalizedType;
  switch (to) {
    case 'string':
      return (value) => ok(typeof value === 'string' ? value : String(value));
    case 'boolean':
      return rule === 'identity'
        ? (value) =>
            typeof value === 'boolean' ? ok(value) : fail(`a boolean column delivered a ${kind(value)} value`)
        : parseBoolean;
    case 'integer':
    case 'long':
      return (value) => {
        // Canonical long text within ±10^18 needs no BigInt round trip (connectors deliver it so).
        if (to === 'long' && rule === 'identity' && typeof value === 'string' && SMALL_LONG.test(value)) {
          return ok(value);
        }
        const exact = integerOf(value, from);
        if (typeof exact === 'string') return fail(exact);
        if (exact === null) return NULL;
        return to === 'integer' ? fitInteger(exact) : fitLong(exact);
      };
    case 'double':
      return (value) => doubleOf(value, from);
    case 'decimal': {
      const precision = target.precision ?? 38;
      const scale = target.scale ?? 9;
      return (value) => {
        // Canonical text that surely fits (connectors deliver it so) is its own value.
        if (typeof value === 'string' && CANONICAL_DECIMAL.test(value)) {
          const point = value.indexOf('.');
          const whole = (point < 0 ? value.length : point) - (value.startsWith('-') ? 1 : 0);
          const fraction = point < 0 ? 0 : value.length - point - 1;
          if (whole <= precision - scale && fraction <= scale) return ok(value);
        }
        const parsed = decimalOf(value, from);
        if (typeof parsed === 'string') return fail(parsed);
        return parsed === null ? NULL : fitDecimal(parsed, precision, scale);
      };
    }
    case 'date':
      return (value) => {
        if (typeof value !== 'string') return fail(`expected a date as text, got a ${kind(value)}`);
        const text = value.trim();
        if (text === '') return NULL;
        const iso = DATE_ONLY.test(text) ? validDate(text) : parseDateTime(text)?.slice(0, 10);
        return iso === undefined ? fail('not an ISO-8601 date (YYYY-MM-DD) or date-time') : ok(iso);
      };
    case 'date-time':
      return (value) => {
        if (typeof value !== 'string') return fail(`expected a date-time as text, got a ${kind(value)}`);
        // Connectors already deliver canonical UTC text (the Row contract): pass it through unparsed.
        if (rule === 'identity' && CANONICAL_DATE_TIME.test(value)) return ok(value);
        const text = value.trim();
        if (text === '') return NULL;
        const iso = parseDateTime(text);
        return iso === undefined
          ? fail('not an ISO-8601 date-time (YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM])')
          : ok(iso);
      };
    case 'binary':
      return (value) => {
        if (typeof value !== 'string') return fail(`expected base64 text, got a ${kind(value)}`);
        const text = rule === 'identity' ? value : value.trim();
        if (rule !== 'identity' && text === '') return NULL;
        return BASE64.test(text) && text.length % 4 === 0 ? ok(text) : fail('not valid base64 text');
      };
  }
}

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

function parseBoolean(value: NonNull): Converted {
  if (typeof value === 'boolean') return ok(value);
  if (typeof value !== 'string') return fail(`expected text for a boolean, got a ${kind(value)}`);
  const text = value.trim().toLowerCase();
  if (text === '') return NULL;
  const parsed = BOOLEAN_TEXT[text];
  return parsed === undefined ? fail('not a boolean; use true/false, 1/0 or yes/no (any case)') : ok(parsed);
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const SMALL_LONG = /^(?:0|-?[1-9]\d{0,17})$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_EXPONENT = 1000;

/** An exact integer, `null` for blank text, or the reason it is not one. */
function integerOf(value: NonNull, from: NormalizedType): bigint | null | string {
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${String(value)} is not an integer`;
    return Number.isInteger(value) ? BigInt(value) : 'the number has a fractional part';
  }
  const text = value.trim();
  if (from === 'string' && text === '') return null;
  if (INTEGER_TEXT.test(text)) return BigInt(text);
  if (from === 'string') return 'not an integer (only an optional sign and digits are accepted)';
  const decimal = parseDecimal(text);
  if (decimal === undefined) return `not a number`;
  if (/[1-9]/.test(decimal.fraction)) return 'the number has a fractional part';
  return BigInt(`${decimal.negative ? '-' : ''}${decimal.whole || '0'}`);
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const fitInteger = (n: bigint): Converted =>
  n < INT_MIN || n > INT_MAX ? fail('out of the integer range (-2147483648 to 2147483647)') : ok(Number(n));

const fitLong = (n: bigint): Converted =>
  n < LONG_MIN || n > LONG_MAX ? fail('out of the long range (-2^63 to 2^63-1)') : ok(n.toString());

const NON_FINITE = new Set(['NaN', 'Infinity', '+Infinity', '-Infinity']);

function doubleOf(value: NonNull, from: NormalizedType): Converted {
  if (typeof value === 'number') return ok(value);
  if (typeof value !== 'string') return fail(`expected a number, got a ${kind(value)}`);
  const text = value.trim();
  if (from === 'string' && text === '') return NULL;
  if (NON_FINITE.has(text))
    return from === 'string' || from === 'double' ? ok(text.replace('+', '')) : fail('not a number');
  if (parseDecimal(text) === undefined) return fail('not a number');
  const n = Number(text);
  return Number.isFinite(n) ? ok(n) : fail('beyond the double range');
}

interface Decimal {
  readonly negative: boolean;
  /** Integer digits without leading zeros ('' for zero). */
  readonly whole: string;
  /** Fraction digits as written (trailing zeros kept). */
  readonly fraction: string;
}

/** Exact decimal reading of plain or exponent notation; undefined when not a number. */
function parseDecimal(text: string): Decimal | undefined {
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign = '', intPart = '', fracPart = '', exponentText] = match;
  if (intPart === '' && fracPart === '') return undefined;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
  let digits = intPart + fracPart;
  let point = intPart.length + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  return {
    negative: sign === '-',
    whole: digits.slice(0, point).replace(/^0+/, ''),
    fraction: digits.slice(point),
  };
}

function decimalOf(value: NonNull, from: NormalizedType): Decimal | null | string {
  if (typeof value === 'boolean') return `expected a number, got a boolean`;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${String(value)} has no decimal value`;
    return parseDecimal(Number.isInteger(value) ? BigInt(value).toString() : String(value)) ?? 'not a number';
  }
  const text = value.trim();
  if (from === 'string' && text === '') return null;
  if (NON_FINITE.has(text)) return `${text} has no decimal value`;
  return parseDecimal(text) ?? 'not a decimal number';
}

/** The decimal as text if it fits decimal(precision, scale) exactly; fractional zeros beyond the scale are dropped. */
function fitDecimal(decimal: Decimal, precision: number, scale: number): Converted {
  let fraction = decimal.fraction;
  if (fraction.length > scale) {
    if (/[1-9]/.test(fraction.slice(scale))) {
      return fail(`has more than ${scale} fractional digits (decimal(${precision},${scale}) would round it)`);
    }
    fraction = fraction.slice(0, scale);
  }
  if (decimal.whole.length > precision - scale) {
    return fail(
      `needs ${decimal.whole.length} integer digits; decimal(${precision},${scale}) holds ${precision - scale}`,
    );
  }
  const body = fraction === '' ? decimal.whole || '0' : `${decimal.whole || '0'}.${fraction}`;
  return ok(decimal.negative && /[1-9]/.test(body) ? `-${body}` : body);
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CANONICAL_DECIMAL = /^(?:0|-?[1-9]\d*)(?:\.\d+)?$/;
const CANONICAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.(?:\d{3}|\d{6})Z$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether year-month-day is a day of the proleptic Gregorian calendar (month 1-12). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const last = month === 2 && leap ? 29 : (MONTH_DAYS[month - 1] ?? 0);
  return Number.isInteger(day) && day >= 1 && day <= last;
}

/** A `YYYY-MM-DD` text (DATE_ONLY) when it is a calendar day. */
function validDate(text: string): string | undefined {
  return isCalendarDate(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10)))
    ? text
    : undefined;
}

/**
 * ISO-8601 date or date-time to `YYYY-MM-DDTHH:MM:SS.sssZ` (microseconds when the text has
 * sub-millisecond digits, further digits truncated); no zone means UTC; invalid calendar dates fail.
 */
export function parseDateTime(text: string): string | undefined {
  const match = DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = match;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(mo) < 1 || Number(mo) > 12)
    return undefined;
  const at = new Date(0);
  at.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  if (at.getUTCDate() !== Number(d)) return undefined;
  at.setUTCHours(Number(h), Number(mi), Number(s));
  const date = new Date(at.getTime() - offsetMinutes(zone) * 60_000);
  const year = date.getUTCFullYear();
  if (year < 0 || year > 9999) return undefined;
  const micro = frac.slice(0, 6).padEnd(6, '0');
  const fraction = micro.endsWith('000') ? micro.slice(0, 3) : micro;
  return (
    `${pad(year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${fraction}Z`
  );
}

function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}
