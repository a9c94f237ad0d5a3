/**
 * Opens the store: Kysely over embedded SQLite (node:sqlite) or over PostgreSQL (pg Pool).
 *
 * Guarantees of an opened store:
 * - The database answered one query before `openStore` resolved, so a wrong path, an unreachable
 *   server or bad credentials fail at start, not at the first request.
 * - PostgreSQL: BIGINT (int8) values come back as JS numbers when they are safe integers (epoch ms,
 *   counts), as `bigint` otherwise; json/jsonb come back as their JSON text, exactly like SQLite's TEXT
 *   columns, so `fromJson` in dialect.ts reads both alike.
 * - PostgreSQL with `schema`: the schema exists and is the only entry of `search_path` on every pooled
 *   connection (set in the connection's startup packet, so no query can run before it).
 * - No error message or report contains the database password.
 * - A connection that breaks (the server restarts, the network drops) never crashes the process: the
 *   operation using it fails, and the next operation opens a new connection, so the store recovers from
 *   an outage without a restart.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { CustomTypesConfig } from 'pg';
import { AppError } from '../domain/errors.ts';
import { registerIdleReads } from './prepared.ts';
import { createSqliteDialect } from './sqlite-driver.ts';

export type StoreDialect = 'sqlite' | 'postgres';

export type StoreOptions =
  { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export interface Store<DB> {
  readonly db: Kysely<DB>;
  readonly dialect: StoreDialect;
  /** PostgreSQL only: the schema the tables live in (the configured one, else `current_schema()`). */
  readonly schema?: string;
  /** Closes every connection; calling it again is harmless. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const INT8_OID = 20;
const JSON_OIDS = new Set([114, 3802]);
const CONNECT_TIMEOUT_MS = 10_000;

export async function openStore<DB>(options: StoreOptions): Promise<Store<DB>> {
  return options.kind === 'sqlite' ? openSqlite<DB>(options.file) : openPostgres<DB>(options);
}

async function openSqlite<DB>(file: string): Promise<Store<DB>> {
  if (file !== ':memory:' && !file.startsWith('file:')) mkdirSync(dirname(file), { recursive: true });
  const dialect = createSqliteDialect(file);
  const db = new Kysely<DB>({ dialect });
  registerIdleReads(db, dialect.idleReads);
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new AppError(
      'FLOW-1103-503',
      `The SQLite store at ${file} cannot be opened: ${messageOf(error)}`,
      {},
      {
        cause: error,
      },
    );
  }
  return { db, dialect: 'sqlite', close: once(() => db.destroy()) };
}

/** `host:port` of a PostgreSQL URL, for messages; never includes user or password. */
export function postgresAddress(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
    return `${host}:${parsed.port || '5432'}`;
  } catch {
    return '(unparseable URL)';
  }
}

const parseInt8 = (text: string): number | bigint => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
};
const keepText = (text: string): string => text;

type TextParser = (text: string) => unknown;
type Pg = typeof import('pg').default;

/** The pg driver, loaded when a PostgreSQL store is opened (an embedded start never loads it). */
const loadPg = async (): Promise<Pg> => (await import('pg')).default;

const typeParsersOf = (pg: Pg): CustomTypesConfig => {
  const builtinParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => TextParser;
  return {
    getTypeParser: (oid: number, format?: 'text' | 'binary'): TextParser => {
      if (format !== 'binary' && oid === INT8_OID) return parseInt8;
      if (format !== 'binary' && JSON_OIDS.has(oid)) return keepText;
      return builtinParser(oid, format);
    },
  };
};

async function openPostgres<DB>(options: {
  url: string;
  schema?: string;
  poolSize?: number;
}): Promise<Store<DB>> {
  const address = postgresAddress(options.url);
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new AppError(
      'FLOW-1102-500',
      `Invalid PostgreSQL schema name "${options.schema}": use letters, digits and _ (at most 63).`,
    );
  }
  const pg = await loadPg();
  if (options.schema !== undefined) await ensureSchema(pg, options.url, options.schema, address);

  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    types: typeParsersOf(pg),
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle pooled connection that the server drops emits 'error' on the pool; pg discards that
  // client and the next checkout opens a new one, so the event must not crash the process.
  pool.on('error', () => undefined);
  // A connection the server drops while it is checked out emits 'error' on the client itself, where no
  // pool listener is attached: without this, an outage that starts mid-request would crash the process.
  // The query in flight still fails (and is answered 503); the pool discards the broken client.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });

  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let schema: string;
  try {
    const result = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = result.rows[0]?.schema ?? options.schema ?? 'public';
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw unreachable(address, error);
  }
  return { db, dialect: 'postgres', schema, close: once(() => db.destroy()) };
}

/** Creates the schema when missing, on a short-lived connection (the pool's search_path needs it). */
async function ensureSchema(pg: Pg, url: string, schema: string, address: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw unreachable(address, error);
  }
  try {
    await client.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    // Two processes creating the same schema at once: one wins, the other sees a duplicate.
    const code = (error as { code?: unknown }).code;
    if (code !== '23505' && code !== '42P06') throw unreachable(address, error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function unreachable(address: string, error: unknown): AppError {
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === 'string' ? `${code}: ${messageOf(error)}` : messageOf(error);
  return new AppError(
    'FLOW-1103-503',
    `PostgreSQL at ${address} is unreachable or refused the connection (${detail})`,
    {
      database: address,
    },
  );
}

/** pg messages carry no password, but a URL could be echoed by a wrapper: scrub any userinfo. */
function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}
