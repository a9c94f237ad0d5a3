/**
 * Binds Databricks query parameters (TSparkParameter: a Spark type name plus a string value) to a
 * DuckDB prepared statement with the type the client declared, so `WHERE id = :id` filters on an
 * INT and `:since` compares as a TIMESTAMP, exactly as on Databricks.
 */
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  FLOAT,
  INTEGER,
  SMALLINT,
  TIMESTAMP,
  TINYINT,
  VARCHAR,
  DECIMAL,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampValue,
  type DuckDBPreparedStatement,
} from '@duckdb/node-api';
import type T from '@databricks/sql/thrift/TCLIService_types.js';
import { SqlError } from './sql-error.ts';

/** Epoch milliseconds of a UTC wall clock; unlike Date.UTC, years 0-99 stay themselves. */
function utcMs(year: number, month: number, day: number, h = 0, mi = 0, s = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, mi, s);
  return date.getTime();
}

export function parseDate(text: string): DuckDBDateValue {
  const m = /^(-?\d{1,6})-(\d{1,2})-(\d{1,2})/.exec(text.trim());
  if (!m)
    throw new SqlError(`[INVALID_PARAMETER_VALUE] '${text}' is not a valid DATE. SQLSTATE: 22023`, '22023');
  return new DuckDBDateValue(utcMs(Number(m[1]), Number(m[2]), Number(m[3])) / 86_400_000);
}

/** 'YYYY-MM-DD[ T]hh:mm:ss[.ffffff][Z|±hh:mm]' → microseconds since the epoch (UTC when no offset). */
export function parseTimestamp(text: string): DuckDBTimestampValue {
  const m =
    /^(-?\d{1,6})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(
      text.trim(),
    );
  if (!m)
    throw new SqlError(
      `[INVALID_PARAMETER_VALUE] '${text}' is not a valid TIMESTAMP. SQLSTATE: 22023`,
      '22023',
    );
  const ms = utcMs(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  );
  let micros = BigInt(ms) * 1000n + BigInt((m[7] ?? '').padEnd(6, '0').slice(0, 6) || '0');
  const zone = m[8];
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
    micros -= sign * offsetMinutes * 60_000_000n;
  }
  return new DuckDBTimestampValue(micros);
}

function parseDecimal(text: string): { value: DuckDBDecimalValue; width: number; scale: number } {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!m)
    throw new SqlError(
      `[INVALID_PARAMETER_VALUE] '${text}' is not a valid DECIMAL. SQLSTATE: 22023`,
      '22023',
    );
  const fraction = m[3] ?? '';
  const scale = Math.min(fraction.length, 37);
  const unscaled = BigInt(`${m[1] ?? ''}${m[2] || '0'}${fraction.slice(0, scale)}`);
  return { value: new DuckDBDecimalValue(unscaled, 38, scale), width: 38, scale };
}

/** Thrift leaves absent optional fields null, although the typings say undefined. */
const present = (value: unknown): boolean => value !== undefined && value !== null;

function bindOne(prepared: DuckDBPreparedStatement, index: number, parameter: T.TSparkParameter): void {
  const text = parameter.value?.stringValue;
  const type = (parameter.type ?? '').toUpperCase();
  if (text === undefined || !present(text) || type === '' || type === 'VOID') {
    prepared.bindNull(index);
    return;
  }
  switch (type) {
    case 'BOOLEAN':
      prepared.bindValue(index, text.toUpperCase() === 'TRUE', BOOLEAN);
      return;
    case 'TINYINT':
      prepared.bindValue(index, Number(text), TINYINT);
      return;
    case 'SMALLINT':
      prepared.bindValue(index, Number(text), SMALLINT);
      return;
    case 'INT':
    case 'INTEGER':
      prepared.bindValue(index, Number(text), INTEGER);
      return;
    case 'BIGINT':
      prepared.bindValue(index, BigInt(text), BIGINT);
      return;
    case 'FLOAT':
      prepared.bindValue(index, Number(text), FLOAT);
      return;
    case 'DOUBLE':
      prepared.bindValue(index, Number(text), DOUBLE);
      return;
    case 'DECIMAL': {
      const decimal = parseDecimal(text);
      prepared.bindValue(index, decimal.value, DECIMAL(decimal.width, decimal.scale));
      return;
    }
    case 'DATE':
      prepared.bindValue(index, parseDate(text), DATE);
      return;
    case 'TIMESTAMP':
    case 'TIMESTAMP_NTZ':
      prepared.bindValue(index, parseTimestamp(text), TIMESTAMP);
      return;
    default:
      prepared.bindValue(index, text, VARCHAR);
  }
}

/**
 * Named parameters bind by name (`:id` was rewritten to `$id`); ordinal ones by position (`?`).
 * A marker left without a value is an error, as on Databricks.
 */
export function bindParameters(prepared: DuckDBPreparedStatement, parameters: T.TSparkParameter[]): void {
  const named = parameters.filter((p) => present(p.name) && p.name !== '');
  const ordinal = parameters.filter((p) => !named.includes(p));
  const supplied = new Set<number>();
  for (const parameter of named) {
    let index: number;
    try {
      index = prepared.parameterIndex(parameter.name!);
    } catch {
      continue; // Databricks ignores named values the statement does not use.
    }
    bindOne(prepared, index, parameter);
    supplied.add(index);
  }
  ordinal.forEach((parameter, i) => {
    if (i + 1 > prepared.parameterCount) {
      throw new SqlError(
        `[UNBOUND_SQL_PARAMETER] Found ${parameters.length} parameters but the statement has ${prepared.parameterCount} markers. SQLSTATE: 42P02`,
        '42P02',
      );
    }
    bindOne(prepared, i + 1, parameter);
    supplied.add(i + 1);
  });
  for (let index = 1; index <= prepared.parameterCount; index++) {
    if (!supplied.has(index)) {
      throw new SqlError(
        `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${prepared.parameterName(index)}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as \`map()\`, \`array()\`, \`struct()\`. SQLSTATE: 42P02`,
        '42P02',
      );
    }
  }
}
