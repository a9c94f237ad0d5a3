/**
 * Kysely over the built-in `node:sqlite` (`DatabaseSync`), through Kysely's own `SqliteDialect`.
 *
 * Guarantees:
 * - One connection per process. Kysely serialises every query and transaction on it (its SQLite
 *   adapter reports no multiple connections), so a `db.transaction()` is never interleaved with other
 *   queries of the same process.
 * - Transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so two processes
 *   sharing the file wait on each other (`busy_timeout`) instead of failing with SQLITE_BUSY when a
 *   reader upgrades to a writer.
 * - DDL is transactional here (SQLite supports it), so the migrator applies each run of migrations in
 *   one transaction: a failing migration leaves nothing behind.
 * - Pragmas at open: `journal_mode=WAL`, `busy_timeout=5000`, `foreign_keys=ON`, `synchronous=NORMAL`.
 *
 * How values come back (node:sqlite with `readBigInts` off):
 * - INTEGER → JS number. An integer outside ±2^53 makes the read throw (ERR_OUT_OF_RANGE) rather than
 *   lose precision; epoch milliseconds are far inside that range.
 * - Booleans are bound as 1/0 and read back as numbers 1/0 (use `boolFromDb` in dialect.ts).
 * - REAL → number, TEXT → string, BLOB → Uint8Array, NULL → null. `undefined` parameters bind as NULL.
 * - Rows are null-prototype objects keyed by column name.
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
} from 'kysely';

/** The pragmas every Sluice SQLite connection runs with (see the file comment). */
export const SQLITE_PRAGMAS: readonly string[] = [
  'journal_mode = WAL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  'synchronous = NORMAL',
];

const STATEMENT_CACHE_SIZE = 200;

/** Opens (creating if needed) a SQLite file, or `:memory:`, with the Sluice pragmas applied. */
export function openSqliteDatabase(file: string): DatabaseSync {
  const database = new DatabaseSync(file, { timeout: 5000 });
  for (const pragma of SQLITE_PRAGMAS) database.exec(`PRAGMA ${pragma}`);
  return database;
}

const bindable = (parameters: ReadonlyArray<unknown>): SQLInputValue[] =>
  parameters.map((value) => (value === undefined ? null : (value as SQLInputValue)));

/**
 * Adapts a `DatabaseSync` to the `SqliteDatabase` interface Kysely's SQLite driver expects.
 * Prepared statements are cached by SQL text; this is safe because Kysely holds the one connection
 * for the whole of a query (and of a streamed query), so a cached statement is never re-entered.
 */
export function adaptDatabase(database: DatabaseSync): SqliteDatabase {
  const cache = new Map<string, { statement: StatementSync; reader: boolean }>();
  const prepare = (sql: string): { statement: StatementSync; reader: boolean } => {
    const cached = cache.get(sql);
    if (cached) {
      cache.delete(sql);
      cache.set(sql, cached);
      return cached;
    }
    const statement = database.prepare(sql);
    const entry = { statement, reader: statement.columns().length > 0 };
    cache.set(sql, entry);
    if (cache.size > STATEMENT_CACHE_SIZE) {
      const oldest = cache.keys().next();
      if (oldest.done !== true) cache.delete(oldest.value);
    }
    return entry;
  };
  return {
    close: () => {
      cache.clear();
      if (database.isOpen) database.close();
    },
    prepare: (sql: string): SqliteStatement => {
      const { statement, reader } = prepare(sql);
      return {
        reader,
        all: (parameters) => statement.all(...bindable(parameters)),
        run: (parameters) => statement.run(...bindable(parameters)),
        iterate: (parameters) => statement.iterate(...bindable(parameters)),
      };
    },
  };
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** Kysely's `SqliteDialect` with `BEGIN IMMEDIATE` transactions and transactional DDL (see above). */
export class NodeSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** The dialect for a SQLite file; the file is opened lazily on the first query. */
export function createSqliteDialect(file: string): NodeSqliteDialect {
  return new NodeSqliteDialect({ database: () => Promise.resolve(adaptDatabase(openSqliteDatabase(file))) });
}
