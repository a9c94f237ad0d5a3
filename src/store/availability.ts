/**
 * Whether the store answers, for readiness probes and for telling an outage from a bug.
 *
 * `isStoreUnavailable` is true only for failures of the connection to the store, never for a query
 * the store refused (a constraint, a syntax error): those are bugs or client mistakes and keep their
 * own handling. PostgreSQL: socket errors (refused, reset, timed out, unreachable), pg's own connection
 * messages (terminated, connect timeout), SQLSTATE classes 08 (connection exception) and 57P0x (server
 * shutting down or starting), 53300 (too many connections). SQLite: SQLITE_BUSY/LOCKED (the file is
 * locked longer than the busy timeout), IOERR, CANTOPEN, FULL.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Store } from './db.ts';
import { MIGRATION_TABLE } from './migrator.ts';

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);
const PG_STATES = /^(08...|57P0[1-4]|53300)$/;
const PG_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout)/;
// SQLite primary result codes: BUSY 5, LOCKED 6, IOERR 10, FULL 13, CANTOPEN 14.
const SQLITE_CODES = new Set([5, 6, 10, 13, 14]);

export function isStoreUnavailable(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || PG_STATES.test(code))) return true;
  if (typeof errcode === 'number' && SQLITE_CODES.has(errcode & 0xff)) return true;
  if (typeof message === 'string' && PG_MESSAGES.test(message)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isStoreUnavailable(cause);
}

/** One round trip to the store; rejects when it does not answer. */
export async function pingStore<DB>(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Names of the shipped migrations the store has not applied (empty: the schema is current). */
export async function pendingMigrations<DB>(
  store: Store<DB>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const db = store.db as unknown as Kysely<Record<string, { name: string }>>;
  const scoped = store.schema === undefined ? db : db.withSchema(store.schema);
  const rows = await scoped.selectFrom(MIGRATION_TABLE).select('name').execute();
  const applied = new Set(rows.map((row) => row.name));
  return Object.keys(migrations).filter((name) => !applied.has(name));
}

/** Rejects when a shipped migration is not applied (a readiness check). */
export async function assertMigrationsCurrent<DB>(
  store: Store<DB>,
  migrations: Record<string, Migration>,
): Promise<void> {
  const pending = await pendingMigrations(store, migrations);
  if (pending.length > 0) throw new Error(`${pending.length} migration(s) not applied`);
}
