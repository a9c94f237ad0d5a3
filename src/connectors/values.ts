/**
 * Type mapping shared by every connector (docs/types.md): the XDM type suggested for each normalized
 * type, the column builder, and the value normalisers that turn driver values into `Row` values.
 *
 * Guarantees of `toRowValue` (the `Row` contract of connector.ts):
 * - `long` and `decimal` come out as plain decimal strings (never exponent notation, never a lossy
 *   JSON number); `integer` and `double` as JSON numbers (non-finite doubles as "NaN"/"Infinity"/"-Infinity",
 *   which JSON cannot carry as numbers);
 * - `date` is `YYYY-MM-DD`; `date-time` is `YYYY-MM-DDTHH:MM:SS.sssZ`, or `.ssssssZ` when the source
 *   carried sub-millisecond digits (truncated to microseconds); zone-less inputs are taken as UTC;
 * - `binary` is base64;
 * - `null`/`undefined` become `null`; a value that cannot represent the column type throws
 *   `ValueConversionError` (the caller knows the row and column and reports them).
 */
import type { ColumnSchema, NormalizedType, Row, XdmType } from './connector.ts';
import { isCalendarDate } from '../domain/conversion.ts';

export type RowValue = Row[string];

export interface XdmMapping {
  readonly xdm: XdmType;
  readonly 'meta:xdmType'?: 'date' | 'date-time';
}

const XDM: Readonly<Record<NormalizedType, XdmMapping>> = {
  string: { xdm: { type: 'string' } },
  boolean: { xdm: { type: 'boolean' } },
  integer: { xdm: { type: 'integer' } },
  long: { xdm: { type: 'integer' } },
  double: { xdm: { type: 'number' } },
  decimal: { xdm: { type: 'number' } },
  date: { xdm: { type: 'string', format: 'date' }, 'meta:xdmType': 'date' },
  'date-time': { xdm: { type: 'string', format: 'date-time' }, 'meta:xdmType': 'date-time' },
  binary: { xdm: { type: 'string', format: 'byte' } },
};

/** The XDM type Adobe suggests for a normalized type; dates surface as XDM strings with a format. */
export function xdmFor(type: NormalizedType): XdmMapping {
  return XDM[type];
}

/** A column in the explore shape: `{name, type, xdm, meta:xdmType?, meta?}`. */
export function column(
  name: string,
  type: NormalizedType,
  meta?: Readonly<Record<string, unknown>>,
): ColumnSchema {
  const mapping = XDM[type];
  return {
    name,
    type,
    xdm: mapping.xdm,
    ...(mapping['meta:xdmType'] === undefined ? {} : { 'meta:xdmType': mapping['meta:xdmType'] }),
    ...(meta === undefined ? {} : { meta }),
  };
}

/** A value that does not fit its column type; the message names the type, never the value's secret context. */
export class ValueConversionError extends TypeError {
  readonly targetType: NormalizedType;
  constructor(targetType: NormalizedType, detail: string) {
    super(`cannot represent ${detail} as ${targetType}`);
    this.name = 'ValueConversionError';
    this.targetType = targetType;
  }
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return `the ${typeof value} ${String(value)}`;
  }
  if (typeof value === 'object') return `a ${Object.prototype.toString.call(value).slice(8, -1)} object`;
  return `a ${typeof value}`;
}

/** node-int64 (Thrift) values: 8 bytes big-endian two's complement at `offset` of `buffer`. */
function isNodeInt64(value: object): value is { buffer: Buffer; offset: number } {
  const candidate = value as { buffer?: unknown; offset?: unknown };
  return Buffer.isBuffer(candidate.buffer) && typeof candidate.offset === 'number';
}

/** Edm-wrapped values of @azure/data-tables: `{ type: 'Int64', value: '123' }`. */
function unwrapEdm(value: object): unknown {
  const candidate = value as { type?: unknown; value?: unknown };
  return typeof candidate.type === 'string' && 'value' in candidate ? candidate.value : value;
}

/**
 * A plain decimal string for a number, bigint or numeric text, exactly (no rounding beyond what a
 * JS number already holds); trailing fractional zeros are kept as the source wrote them.
 */
export function toDecimalString(value: number | bigint | string): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign = '', intPart = '', fracPart = '', exponent] = match;
  if (intPart === '' && fracPart === '') return undefined;
  let digits = intPart + fracPart;
  let point = intPart.length + (exponent === undefined ? 0 : Number(exponent));
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, '');
  if (whole === '') whole = '0';
  const fraction = digits.slice(point);
  const body = fraction === '' ? whole : `${whole}.${fraction}`;
  return sign === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS.sss[sss]Z` from a Date, epoch milliseconds or an ISO-like text (zone-less = UTC). */
/** The forms services send most (`T` or a space, seconds, 0-9 fraction digits, `Z` or no zone = UTC). */
const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,9}))?Z?$/;

function canonicalUtc(value: string): string | undefined {
  const match = CANONICAL_UTC.exec(value);
  if (match === null) return undefined;
  if (!isCalendarDate(Number(match[1]), Number(match[2]), Number(match[3]))) return undefined;
  const micro = (match[7] ?? '').slice(0, 6).padEnd(6, '0');
  return `${value.slice(0, 10)}T${value.slice(11, 19)}.${micro.endsWith('000') ? micro.slice(0, 3) : micro}Z`;
}

export function toIsoDateTime(value: Date | number | string): string | undefined {
  return (typeof value === 'string' ? canonicalUtc(value) : undefined) ?? generalIsoDateTime(value);
}

/** `toIsoDateTime` without the fast path for the canonical form (exported for the equivalence test). */
export function generalIsoDateTime(value: Date | number | string): string | undefined {
  if (typeof value !== 'string') {
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const match = DATE_TIME_TEXT.exec(value.trim());
  if (match === null) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = match;
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const check = new Date(0);
  check.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  check.setUTCHours(Number(h), Number(mi), Number(s));
  const utc = check.getTime();
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const date = new Date(utc - parseOffset(zone) * 60_000);
  const micro = frac.slice(0, 6).padEnd(6, '0');
  const fraction = micro.endsWith('000') ? micro.slice(0, 3) : micro;
  const base = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return `${base}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${fraction}Z`;
}

function parseOffset(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}

function toDate(value: unknown): string | undefined {
  if (value instanceof Date)
    return Number.isNaN(value.getTime()) ? undefined : value.toISOString().slice(0, 10);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (DATE_TEXT.test(text)) {
    const [y, m, d] = text.split('-').map(Number);
    return isCalendarDate(y ?? 0, m ?? 0, d ?? 0) ? text : undefined;
  }
  return toIsoDateTime(text)?.slice(0, 10);
}

const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d*)$/;
const CANONICAL_DECIMAL = /^(?:0|-?[1-9]\d*)(?:\.\d+)?$/;

function toLong(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value === 'string') {
    // Canonical digits (what Databricks' CAST AS STRING gives) are their own value.
    if (CANONICAL_INTEGER.test(value)) return value;
    return INTEGER_TEXT.test(value.trim()) ? BigInt(value.trim()).toString() : undefined;
  }
  if (typeof value === 'object' && value !== null && isNodeInt64(value)) {
    return value.buffer.readBigInt64BE(value.offset).toString();
  }
  return undefined;
}

function toInteger(value: unknown): number | undefined {
  const long = toLong(value);
  if (long === undefined) return undefined;
  const n = Number(long);
  return n >= -2_147_483_648 && n <= 2_147_483_647 ? n : undefined;
}

function toDouble(value: unknown): number | string | undefined {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value.trim());
  else return undefined;
  if (Number.isNaN(n)) return typeof value === 'string' && value.trim() !== 'NaN' ? undefined : 'NaN';
  return Number.isFinite(n) ? n : n > 0 ? 'Infinity' : '-Infinity';
}

function toBinary(value: unknown): string | undefined {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString('base64');
  if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0)
    return value;
  return undefined;
}

function toStringValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  // Arrays, maps and structs (Spark) are carried as JSON text; bigint members as decimal strings.
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 0 || value === 1) return value === 1;
  return undefined;
}

/** Normalise one driver value to the `Row` representation of `type`. */
export function toRowValue(type: NormalizedType, raw: unknown): RowValue {
  if (raw === null || raw === undefined) return null;
  const value = typeof raw === 'object' && !isNodeInt64(raw) ? unwrapEdm(raw) : raw;
  if (value === null || value === undefined) return null;
  let result: RowValue | undefined;
  switch (type) {
    case 'string':
      result = toStringValue(value);
      break;
    case 'boolean':
      result = toBoolean(value);
      break;
    case 'integer':
      result = toInteger(value);
      break;
    case 'long':
      result = toLong(value);
      break;
    case 'double':
      result = toDouble(value);
      break;
    case 'decimal':
      result =
        typeof value === 'string' && CANONICAL_DECIMAL.test(value)
          ? value
          : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string'
            ? toDecimalString(value)
            : undefined;
      break;
    case 'date':
      result = toDate(value);
      break;
    case 'date-time':
      result =
        value instanceof Date || typeof value === 'number' || typeof value === 'string'
          ? toIsoDateTime(value)
          : undefined;
      break;
    case 'binary':
      result = toBinary(value);
      break;
  }
  if (result === undefined) throw new ValueConversionError(type, describe(value));
  return result;
}

/** Orders two plain decimal strings (as `toDecimalString` makes them) exactly. */
export function compareDecimalStrings(a: string, b: string): number {
  const parse = (text: string): { negative: boolean; whole: string; fraction: string } => {
    const negative = text.startsWith('-');
    const [whole = '', fraction = ''] = text.replace(/^[+-]/, '').split('.');
    return { negative, whole: whole.replace(/^0+/, ''), fraction: fraction.replace(/0+$/, '') };
  };
  const x = parse(a);
  const y = parse(b);
  const xZero = x.whole === '' && x.fraction === '';
  const yZero = y.whole === '' && y.fraction === '';
  const xSign = xZero ? 0 : x.negative ? -1 : 1;
  const ySign = yZero ? 0 : y.negative ? -1 : 1;
  if (xSign !== ySign || xSign === 0) return Math.sign(xSign - ySign);
  let magnitude = x.whole.length - y.whole.length;
  if (magnitude === 0) magnitude = x.whole < y.whole ? -1 : x.whole > y.whole ? 1 : 0;
  if (magnitude === 0) {
    const width = Math.max(x.fraction.length, y.fraction.length);
    const xf = x.fraction.padEnd(width, '0');
    const yf = y.fraction.padEnd(width, '0');
    magnitude = xf < yf ? -1 : xf > yf ? 1 : 0;
  }
  return Math.sign(magnitude) * xSign;
}

type Scalar = string | number | boolean;

function codePointCompare(a: string, b: string): number {
  // UTF-8 byte order (SQL engines' binary collation) equals code point order, not UTF-16 unit order.
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return Math.sign(x.length - y.length);
}

const numeric = (v: Scalar): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : undefined;

/** A sortable instant: ISO UTC with the fraction widened to microseconds. */
function instant(v: Scalar): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const iso = toIsoDateTime(v);
  if (iso === undefined) return undefined;
  const dot = iso.indexOf('.');
  return `${iso.slice(0, dot + 1)}${iso.slice(dot + 1, -1).padEnd(6, '0')}`;
}

/**
 * Orders a `Row` value against a filter literal under a column's normalized type, exactly for long and
 * decimal (no float rounding) and as instants for date-time; `null` when the two are not comparable
 * (a NaN, a value of another type), which the filter treats as SQL's unknown.
 */
export function compareRowValues(type: NormalizedType | undefined, a: Scalar, b: Scalar): number | null {
  const effective = type ?? (typeof a === 'number' && typeof b === 'number' ? 'double' : undefined);
  switch (effective) {
    case 'integer':
    case 'double': {
      const x = numeric(a);
      const y = numeric(b);
      if (x === undefined || y === undefined || Number.isNaN(x) || Number.isNaN(y)) return null;
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 'long':
    case 'decimal': {
      const x = typeof a === 'boolean' ? undefined : toDecimalString(a);
      const y = typeof b === 'boolean' ? undefined : toDecimalString(b);
      return x === undefined || y === undefined ? null : compareDecimalStrings(x, y);
    }
    case 'date-time': {
      const x = instant(a);
      const y = instant(b);
      return x === undefined || y === undefined ? null : x < y ? -1 : x > y ? 1 : 0;
    }
    case 'date': {
      const x = toDate(a);
      const y = toDate(b);
      return x === undefined || y === undefined ? null : x < y ? -1 : x > y ? 1 : 0;
    }
    case 'binary':
      return typeof a === 'string' && typeof b === 'string'
        ? Buffer.compare(Buffer.from(a, 'base64'), Buffer.from(b, 'base64'))
        : null;
    default:
      if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
      if (typeof a === 'string' && typeof b === 'string') return codePointCompare(a, b);
      return null;
  }
}
