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
 * - `readIfIdle` (the dialect's `idleReads`) runs a read at once, synchronously, only while nothing of
 *   this process holds the connection (no query, stream or transaction between Kysely's acquire and
 *   release of it): it sees exactly what a read queued behind Kysely's lock would see when it got the
 *   connection, so it never reads inside another caller's transaction. Otherwise it declines and the
 *   caller queues through Kysely as usual.
 * - `versionIfIdle` names the state of the whole database as a new read would see it: the WAL-index
 *   header in the `-shm` file, which every commit of any connection, in this process or another,
 *   rewrites (its change counter, frame count and checksums). SQLite's own readers keep their page cache
 *   while that header is unchanged, on the same ground. It is read only while the connection is free
 *   (so no transaction of this process has uncommitted changes) and only when its two copies agree (a
 *   commit is not half-written); otherwise, and for `:memory:` or URI files, there is no version.
 * - `versionAfterTurn` is that version read later and once for many callers: in the check phase after
 *   the current turn of the event loop (setImmediate), one `-shm` read (a syscall) for every caller since
 *   the last reading; under load, for all the GETs whose requests one poll phase read. It is exact for
 *   read-your-writes across processes, as `versionIfIdle` read at the call is: the reading is taken after
 *   every call it answers, and SQLite rewrites the header before COMMIT returns, so a commit of any process
 *   that returned before a call shows in the reading (for a GET: one that returned before the client sent
 *   the request, so before Sluice received it and called). A result kept under an older version is then
 *   not used. The callers wait one hop through the check phase (microseconds; no I/O is waited for).
 *
 * How values come back (node:sqlite with `readBigInts` off):
 * - INTEGER → JS number. An integer outside ±2^53 makes the read throw (ERR_OUT_OF_RANGE) rather than
 *   lose precision; epoch milliseconds are far inside that range.
 * - Booleans are bound as 1/0 and read back as numbers 1/0 (use `boolFromDb` in dialect.ts).
 * - REAL → number, TEXT → string, BLOB → Uint8Array, NULL → null. `undefined` parameters bind as NULL.
 * - Rows are null-prototype objects keyed by column name.
 */
import { closeSync, openSync, readSync } from 'node:fs';
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

/**
 * Reads that skip Kysely's queue when the connection is free (see the file comment); PostgreSQL and
 * a Kysely over any other dialect have none, and their reads always go through Kysely.
 */
export interface IdleReads {
  /** The rows of a read statement run now, or undefined when the connection is held or not open yet. */
  readIfIdle(sql: string, parameters: readonly unknown[]): unknown[] | undefined;
  /**
   * The database's version while the connection is free, else undefined (see the file comment): two
   * equal versions mean no connection committed anything between the two readings.
   */
  versionIfIdle(): string | undefined;
  /**
   * `versionIfIdle` read once what this turn of the event loop received has been handled: in the check
   * phase after it (setImmediate), one reading shared by every caller until then (see the file comment).
   */
  versionAfterTurn(): Promise<string | undefined>;
}

/** The WAL-index header: two 48-byte copies at the start of the -shm file (sqlite.org/walformat.html). */
const WAL_HEADER_BYTES = 48;
const WAL_HEADER_IS_INIT = 12;

/**
 * Reads the WAL-index header of `shmFile` (opened on first use): the first copy as text, or undefined
 * when the file is not there yet, the header is not initialised, or its two copies differ.
 */
function walHeaderReader(shmFile: string): { read(): string | undefined; close(): void } {
  const header = Buffer.alloc(2 * WAL_HEADER_BYTES);
  let fd: number | undefined;
  return {
    read() {
      try {
        fd ??= openSync(shmFile, 'r');
        if (readSync(fd, header, 0, header.length, 0) !== header.length) return undefined;
      } catch {
        return undefined;
      }
      if (header[WAL_HEADER_IS_INIT] !== 1) return undefined;
      if (header.compare(header, WAL_HEADER_BYTES, 2 * WAL_HEADER_BYTES, 0, WAL_HEADER_BYTES) !== 0)
        return undefined;
      return header.toString('latin1', 0, WAL_HEADER_BYTES);
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}

/** Whether the one connection is open and held (between Kysely's acquire and release of it). */
interface ConnectionState {
  database: SqliteDatabase | undefined;
  held: number;
  walHeader: ReturnType<typeof walHeaderReader> | undefined;
}

class ImmediateSqliteDriver extends SqliteDriver {
  readonly #state: ConnectionState;

  constructor(config: SqliteDialectConfig, state: ConnectionState) {
    super(config);
    this.#state = state;
  }

  // Kysely's runtime driver calls this once it holds its connection lock, and releaseConnection before it
  // lets the lock go: `held` is set before any statement of the holder runs and cleared after its last.
  override acquireConnection(): Promise<DatabaseConnection> {
    this.#state.held += 1;
    return super.acquireConnection();
  }

  override releaseConnection(): Promise<void> {
    this.#state.held -= 1;
    return super.releaseConnection();
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override destroy(): Promise<void> {
    // A destroyed store answers through Kysely (which refuses), never from the closed database.
    this.#state.database = undefined;
    this.#state.walHeader?.close();
    return super.destroy();
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
  readonly #state: ConnectionState;

  /** `shmFile`: the database's `-shm` file, for `versionIfIdle` (none: no version). */
  constructor(config: SqliteDialectConfig, shmFile?: string) {
    super(config);
    this.#state = {
      database: undefined,
      held: 0,
      walHeader: shmFile === undefined ? undefined : walHeaderReader(shmFile),
    };
    const open = config.database;
    // The database the driver opens, kept for idle reads (the driver opens it once, on the first query).
    this.#config = {
      ...config,
      database: async (connection) => {
        const database = typeof open === 'function' ? await open(connection) : open;
        // The -shm header versions the database only in WAL mode (a file where WAL could not be set
        // may still have an old -shm beside it, which no commit would change).
        const [mode] = database.prepare('pragma journal_mode').all([]) as { journal_mode?: unknown }[];
        if (mode?.journal_mode !== 'wal') this.#state.walHeader = undefined;
        this.#state.database = database;
        return database;
      },
    };
  }

  /** The shared reading `versionAfterTurn` callers wait for, until its immediate runs. */
  #afterTurn: Promise<string | undefined> | undefined;

  /** Reads run at once while the connection is free (see the file comment). */
  readonly idleReads: IdleReads = {
    readIfIdle: (sql, parameters) => {
      const { database, held } = this.#state;
      if (database === undefined || held !== 0) return undefined;
      const statement = database.prepare(sql);
      return statement.reader ? statement.all(parameters) : undefined;
    },
    versionIfIdle: () => {
      const { database, held, walHeader } = this.#state;
      return database === undefined || held !== 0 ? undefined : walHeader?.read();
    },
    versionAfterTurn: () =>
      (this.#afterTurn ??= new Promise((resolve) => {
        setImmediate(() => {
          // Callers from here on wait for the next reading: each asked before this one was taken.
          this.#afterTurn = undefined;
          // No version (the read goes to the store) rather than an exception outside any caller.
          try {
            resolve(this.idleReads.versionIfIdle());
          } catch {
            resolve(undefined);
          }
        });
      })),
  };

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#state);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** The dialect for a SQLite file; the file is opened lazily on the first query. */
export function createSqliteDialect(file: string): NodeSqliteDialect {
  const onDisk = file !== '' && file !== ':memory:' && !file.startsWith('file:');
  return new NodeSqliteDialect(
    { database: () => Promise.resolve(adaptDatabase(openSqliteDatabase(file))) },
    onDisk ? `${file}-shm` : undefined,
  );
}
