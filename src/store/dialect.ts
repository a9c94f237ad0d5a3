/**
 * Every difference between the SQLite and PostgreSQL stores that repositories need to know, in one
 * place. Repositories write the same Kysely query for both and pass values through these helpers.
 */
import type { StoreDialect } from './db.ts';

/** Column type for JSON documents: `text` in SQLite, `jsonb` in PostgreSQL. */
export function jsonColumnType(dialect: StoreDialect): 'text' | 'jsonb' {
  return dialect === 'sqlite' ? 'text' : 'jsonb';
}

/** Column type for booleans: `integer` (0/1) in SQLite, `boolean` in PostgreSQL. */
export function boolColumnType(dialect: StoreDialect): 'integer' | 'boolean' {
  return dialect === 'sqlite' ? 'integer' : 'boolean';
}

/**
 * A JSON value as a query parameter. Both dialects take the JSON text (pg would turn a JS array into
 * a PostgreSQL array literal, so never pass the object itself); PostgreSQL casts it to jsonb.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/**
 * A JSON column as read. Both stores return the JSON text (db.ts makes pg return json/jsonb as text),
 * so this is `JSON.parse`; null stays null. An already parsed value (a pool configured elsewhere)
 * is returned as it is.
 */
export function fromJson(raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'string') return JSON.parse(raw) as unknown;
  return raw;
}

/** A boolean as a query parameter: 1/0 for SQLite's integer column, the boolean for PostgreSQL. */
export function boolToDb(value: boolean, dialect: StoreDialect): boolean | number {
  return dialect === 'sqlite' ? (value ? 1 : 0) : value;
}

/** A boolean column as read, from either store (SQLite: 1/0, PostgreSQL: true/false). */
export function boolFromDb(raw: unknown): boolean {
  return raw === true || raw === 1 || raw === 1n || raw === '1' || raw === 't';
}

const sqliteCode = (error: unknown): number | undefined => {
  const errcode = (error as { errcode?: unknown } | null)?.errcode;
  return typeof errcode === 'number' ? errcode : undefined;
};
const pgCode = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

// SQLite extended result codes: SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY, _FOREIGNKEY.
const SQLITE_UNIQUE = new Set([2067, 1555]);
const SQLITE_FOREIGN_KEY = 787;

/** True for a unique or primary-key violation in either store (pg 23505). */
export function isUniqueViolation(error: unknown): boolean {
  const code = sqliteCode(error);
  return (code !== undefined && SQLITE_UNIQUE.has(code)) || pgCode(error) === '23505';
}

/** True for a foreign-key violation in either store (pg 23503). */
export function isForeignKeyViolation(error: unknown): boolean {
  return sqliteCode(error) === SQLITE_FOREIGN_KEY || pgCode(error) === '23503';
}
