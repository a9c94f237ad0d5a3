/**
 * Lake values in: each function checks one Row-contract value (src/connectors/connector.ts) against a
 * field type and returns the primitive the writer's staging table stores, or throws `ValueError`
 * naming the field. The engine later casts the staged text to the Parquet type; because every text
 * was checked here first, that cast cannot fail, so a bad value fails its own row at `append`, never
 * a whole file at flush.
 *
 * Accepted: `long` as a decimal string, safe integer or bigint (64-bit range); `integer` within 32 bits;
 * `double` as a number or "NaN"/"Infinity"/"-Infinity"/numeric text; `decimal` as decimal text or a
 * number, rounded half away from zero to the field's scale and refused when it overflows the precision;
 * `date-time` as ISO-8601 text (zone-less = UTC; digits beyond microseconds dropped) or epoch ms;
 * `date` as `YYYY-MM-DD`; `binary` as base64 or bytes; `boolean` as a boolean or "true"/"false";
 * `string` from anything (numbers and booleans as their text, objects as JSON).
 */
export class ValueError extends Error {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'ValueError';
    this.field = field;
  }
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2})(?::(\d{2})(?:([.,])(\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_LONG = 2n ** 63n;

const describe = (value: unknown): string => {
  const text = typeof value === 'string' ? JSON.stringify(value) : typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= (m === 2 && isLeap(y) ? 29 : (DAYS[m - 1] ?? 0));
}

export function toLongText(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint' && value >= -MAX_LONG && value < MAX_LONG) return value.toString();
  if (typeof value === 'string') {
    const text = value.trim();
    if (INTEGER_TEXT.test(text)) {
      const digits = text.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
      // 18 digits always fit; 19 need the exact comparison.
      if (digits.length <= 18) return text;
      if (digits.length === 19) {
        const big = BigInt(text);
        if (big >= -MAX_LONG && big < MAX_LONG) return text;
      }
    }
  }
  throw new ValueError(field, `${describe(value)} is not a 64-bit integer (long)`);
}

export function toInteger(value: unknown, field: string): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && INTEGER_TEXT.test(value.trim())
        ? Number(value)
        : NaN;
  if (Number.isInteger(n) && n >= -2_147_483_648 && n <= 2_147_483_647) return n;
  throw new ValueError(field, `${describe(value)} is not a 32-bit integer`);
}

export function toDouble(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === 'NaN') return NaN;
    if (text === 'Infinity' || text === '+Infinity') return Infinity;
    if (text === '-Infinity') return -Infinity;
    const n = text === '' ? NaN : Number(text);
    if (!Number.isNaN(n)) return n;
  }
  throw new ValueError(field, `${describe(value)} is not a number (double)`);
}

/** Decimal text with exactly `scale` fraction digits, which the engine casts to DECIMAL(p,s) exactly. */
export function toDecimalText(value: unknown, field: string, precision: number, scale: number): string {
  const text =
    typeof value === 'number' && Number.isFinite(value)
      ? plainNumber(value)
      : typeof value === 'bigint'
        ? value.toString()
        : typeof value === 'string'
          ? value.trim()
          : undefined;
  const match = text === undefined ? null : DECIMAL_TEXT.exec(text);
  if (match === null || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new ValueError(field, `${describe(value)} is not a decimal number`);
  }
  const [, sign = '', whole = '', fraction = ''] = match;
  let digits = (whole.replace(/^0+/, '') || '0') + fraction.slice(0, scale).padEnd(scale, '0');
  // Half away from zero, as SQL CAST rounds decimals.
  if ((fraction[scale] ?? '0') >= '5') digits = (BigInt(digits) + 1n).toString();
  digits = digits.replace(/^0+(?=\d)/, '').padStart(scale + 1, '0');
  if (digits.length > Math.max(precision, scale + 1) || (digits.length > precision && digits[0] !== '0')) {
    throw new ValueError(field, `${describe(value)} does not fit decimal(${precision},${scale})`);
  }
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return sign === '-' && /[1-9]/.test(digits) ? `-${body}` : body;
}

/** A JS number as plain decimal text (no exponent). */
function plainNumber(value: number): string {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}

/** ISO-8601 text the engine casts to TIMESTAMPTZ: `YYYY-MM-DDTHH:MM:SS[.ffffff]` + `Z` or `±HH:MM`. */
export function toDateTimeText(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999) {
      return date.toISOString();
    }
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  const text = typeof value === 'string' ? value.trim() : '';
  const match = DATE_TIME_TEXT.exec(text);
  if (match !== null) {
    const [, y = '', mo = '', d = '', sep, h = '00', mi = '00', s = '00', dot, frac = '', zone] = match;
    if (
      validDate(Number(y), Number(mo), Number(d)) &&
      Number(h) < 24 &&
      Number(mi) < 60 &&
      Number(s) < 60 &&
      y !== '0000'
    ) {
      const canonicalZone = zone === undefined || zone === 'z' || zone === 'Z' ? 'Z' : normalizeZone(zone);
      if (sep === 'T' && (dot === undefined || dot === '.') && frac.length <= 6 && canonicalZone === zone)
        return text;
      const fraction = frac === '' ? '' : `.${frac.slice(0, 6)}`;
      if (canonicalZone !== undefined) return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${canonicalZone}`;
    }
  }
  throw new ValueError(field, `${describe(value)} is not an ISO-8601 date-time`);
}

function normalizeZone(zone: string): string | undefined {
  if (zone === 'Z') return 'Z';
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 18 || minutes > 59) return undefined;
  return `${zone[0] ?? '+'}${digits.slice(0, 2)}:${(digits.slice(2) || '00').padStart(2, '0')}`;
}

export function toDateText(value: unknown, field: string): string {
  const match = typeof value === 'string' ? DATE_TEXT.exec(value.trim()) : null;
  if (
    match === null ||
    match[1] === '0000' ||
    !validDate(Number(match[1]), Number(match[2]), Number(match[3]))
  ) {
    throw new ValueError(field, `${describe(value)} is not a date (YYYY-MM-DD)`);
  }
  return match[0];
}

export function toBytes(value: unknown, field: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string' && value.length % 4 === 0 && BASE64.test(value))
    return Buffer.from(value, 'base64');
  throw new ValueError(field, `${describe(value)} is not base64`);
}

export function toBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ValueError(field, `${describe(value)} is not a boolean`);
}

export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value);
}

// ---- Staged (native) values: what the staging table's typed columns hold, from the checked texts above.

/** A checked long text (`toLongText`) as a safe integer, or as a bigint beyond 2^53. */
export function longOf(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** The unscaled integer of a checked decimal text with exactly its scale's fraction digits (`toDecimalText`). */
export function unscaledOf(text: string): number | bigint {
  return longOf(text.replace('.', ''));
}

const MS_PER_DAY = 86_400_000;

/** Epoch ms of a UTC calendar date and time; years 0-99 stay years 0-99 (unlike Date.UTC). */
function utcMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, 0);
  return date.getTime();
}

/** Days since 1970-01-01 of a checked date text (`toDateText`). */
export function daysOf(text: string): number {
  return Math.round(
    utcMs(Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))) / MS_PER_DAY,
  );
}

const STAGED_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * Microseconds since the epoch (UTC) of a checked date-time text (`toDateTimeText`: `T`, up to six
 * fraction digits, `Z` or `±HH:MM`); a number when exact (|µs| < 2^53, years 1685-2255), else a bigint.
 */
export function microsOf(text: string): number | bigint {
  const match = STAGED_DATE_TIME.exec(text);
  if (match === null) throw new Error(`not a checked date-time text: ${text.slice(0, 40)}`);
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone, sign, zh = '0', zm = '0'] = match;
  const offset = zone === 'Z' ? 0 : (sign === '-' ? -1 : 1) * (Number(zh) * 60 + Number(zm)) * 60_000;
  const ms = utcMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)) - offset;
  const sub = Number(fraction.padEnd(6, '0'));
  const micros = ms * 1000 + sub;
  return Number.isSafeInteger(micros) ? micros : BigInt(ms) * 1000n + BigInt(sub);
}

// ---- Fast paths for the forms connectors produce (the Row contract's canonical texts); anything else
// takes the general check above. Each returns undefined when the text is not in its canonical form.

const digit = (text: string, at: number): number => text.charCodeAt(at) - 48;

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let at = from; at < to; at += 1) {
    const d = digit(text, at);
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function civilDays(y: number, m: number, d: number): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yoe = year - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function canonicalDays(text: string, from: number): number | undefined {
  const y = digits(text, from, from + 4);
  const m = digits(text, from + 5, from + 7);
  const d = digits(text, from + 8, from + 10);
  if (y < 1 || m < 1 || d < 1 || text[from + 4] !== '-' || text[from + 7] !== '-' || !validDate(y, m, d))
    return undefined;
  return civilDays(y, m, d);
}

/** `YYYY-MM-DD` → days since the epoch. */
export function fastDays(text: string): number | undefined {
  return text.length === 10 ? canonicalDays(text, 0) : undefined;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` or `.ssssssZ` (UTC) → µs since the epoch, when exact as a number. */
export function fastMicros(text: string): number | undefined {
  const length = text.length;
  if ((length !== 24 && length !== 27) || text[10] !== 'T' || text[length - 1] !== 'Z') return undefined;
  const days = canonicalDays(text, 0);
  const h = digits(text, 11, 13);
  const mi = digits(text, 14, 16);
  const s = digits(text, 17, 19);
  const fraction = digits(text, 20, length - 1);
  if (
    days === undefined ||
    text[13] !== ':' ||
    text[16] !== ':' ||
    text[19] !== '.' ||
    h < 0 ||
    h > 23 ||
    mi < 0 ||
    mi > 59 ||
    s < 0 ||
    s > 59 ||
    fraction < 0
  )
    return undefined;
  const micros =
    ((days * 24 + h) * 60 + mi) * 60_000_000 + s * 1_000_000 + (length === 24 ? fraction * 1000 : fraction);
  return Number.isSafeInteger(micros) ? micros : undefined;
}

/** Plain integer text of at most 15 digits (optionally `-`) → the number. */
export function fastLong(text: string): number | undefined {
  const negative = text.charCodeAt(0) === 45;
  const from = negative ? 1 : 0;
  if (text.length - from < 1 || text.length - from > 15) return undefined;
  const n = digits(text, from, text.length);
  return n < 0 ? undefined : negative ? -n : n;
}

/** Decimal text with exactly `scale` fraction digits and at most 15 digits in all → its unscaled value. */
export function fastUnscaled(text: string, precision: number, scale: number): number | undefined {
  const point = scale === 0 ? text.length : text.length - scale - 1;
  if (scale > 0 && text[point] !== '.') return undefined;
  const negative = text.charCodeAt(0) === 45;
  const from = negative ? 1 : 0;
  const whole = point - from;
  if (whole < 1 || whole + scale > 15 || whole > Math.max(precision - scale, 1)) return undefined;
  const a = digits(text, from, point);
  const b = scale === 0 ? 0 : digits(text, point + 1, text.length);
  if (a < 0 || b < 0 || (whole > precision - scale && a !== 0)) return undefined;
  const n = a * 10 ** scale + b;
  return negative ? -n : n;
}
