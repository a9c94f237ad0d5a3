/**
 * Lake values out: a DuckDB result value as a JSON-safe value of the Row contract
 * (src/connectors/connector.ts): BIGINT/HUGEINT and DECIMAL as decimal strings, TIMESTAMP(TZ) as
 * `YYYY-MM-DDTHH:MM:SS.sss[sss]Z` (UTC), DATE as `YYYY-MM-DD`, BLOB as base64, non-finite doubles as
 * "NaN"/"Infinity"/"-Infinity", STRUCT as nested objects and LIST as arrays; any other engine type
 * (a query may compute intervals, UUIDs, ...) as its text.
 */
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/** A JSON-safe lake value: Row values plus nested objects (object fields) and arrays (query results). */
export type LakeValue = string | number | boolean | null | LakeValue[] | { [key: string]: LakeValue };
export type LakeRow = Record<string, LakeValue>;

const MS_PER_DAY = 86_400_000;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `YYYY-MM-DDTHH:MM:SS.sss[sss]Z` from epoch microseconds (6 digits only when sub-millisecond digits exist). */
export function isoFromMicros(micros: bigint): string {
  let millis = micros / 1000n;
  let rest = micros % 1000n;
  if (rest < 0n) {
    rest += 1000n;
    millis -= 1n;
  }
  const date = new Date(Number(millis));
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`;
  return `${base}${rest === 0n ? '' : pad(Number(rest), 3)}Z`;
}

export function dateFromDays(days: number): string {
  const date = new Date(days * MS_PER_DAY);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** A DuckDB result value as a JSON-safe lake value (see the header for the contract). */
export function fromDuck(value: DuckDBValue): LakeValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    default:
      break;
  }
  if (value instanceof DuckDBDecimalValue) return value.toString();
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue)
    return isoFromMicros(value.micros);
  if (value instanceof DuckDBDateValue) return dateFromDays(value.days);
  if (value instanceof DuckDBBlobValue) return Buffer.from(value.bytes).toString('base64');
  if (value instanceof DuckDBStructValue) {
    const out: Record<string, LakeValue> = {};
    for (const [key, member] of Object.entries(value.entries)) out[key] = fromDuck(member);
    return out;
  }
  if (value instanceof DuckDBListValue) return value.items.map(fromDuck);
  return String(value);
}
