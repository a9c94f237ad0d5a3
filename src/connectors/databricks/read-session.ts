/**
 * The driver seam of flow-run reads: one `@databricks/sql` client and session for the whole read, and a
 * statement whose rows are pulled chunk by chunk (`fetchChunk({ maxRows })`), so a window of any size is
 * never held in memory at once.
 *
 * Guarantees:
 * - trust and session settings are those of explore (sql-client.ts): system roots + extra CAs, telemetry
 *   off, session time zone UTC, no driver-level retries (the run retries as a whole, by error code);
 * - every driver call races `signal`: an abort rejects at once with the signal's reason, whatever the
 *   driver is doing; each RPC is also bounded by the driver's socket timeout;
 * - `close()` is idempotent and closes the statement, then the session, then the client; it never throws;
 * - driver failures are rethrown as they came (the caller classifies them); nothing here logs.
 */
import { DBSQLClient, DBSQLParameter, type LogLevel } from '@databricks/sql';
import type { SqlParam, SqlTarget } from './sql-client.ts';

export type ReadParam = SqlParam | DBSQLParameter;

export interface ReadStatement {
  /** The next chunk of at most `maxRows` rows, or undefined once the result is exhausted. */
  next(): Promise<Record<string, unknown>[] | undefined>;
}

/** One chunk of an Arrow result: its IPC messages (the schema, then record batches) and its row count. */
export interface ArrowChunk {
  readonly messages: readonly Uint8Array[];
  readonly rows: number;
}

export interface ArrowStatement {
  /** The next chunk of at most `maxRows` rows, or undefined once the result is exhausted. */
  next(): Promise<ArrowChunk | undefined>;
}

export interface ReadSession {
  /** Runs a short statement and returns all its rows (DESCRIBE). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** Starts a statement whose rows are fetched lazily, `maxRows` per chunk. */
  stream(sql: string, params: readonly ReadParam[], maxRows: number): Promise<ReadStatement>;
  /**
   * Starts a statement whose result is read as the server's Arrow batches, undecoded; undefined (the
   * statement already closed) when the server answered in another format or the driver does not expose them.
   */
  streamArrow(
    sql: string,
    params: readonly ReadParam[],
    maxRows: number,
  ): Promise<ArrowStatement | undefined>;
  close(): Promise<void>;
}

/** Observes resource release (tests prove that an aborted read closes what it opened). */
export interface ReadSessionHooks {
  readonly onClosed?: (what: 'operation' | 'session') => void;
}

const silent = { log: (_level: LogLevel, _message: string): void => undefined };

/** Settles like `work`, or rejects with the signal's reason as soon as it aborts. */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        // The driver's StatusError is not an Error instance; it is passed on untouched for classification.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        reject(error);
      },
    );
  });
}

/** The part of the driver's Arrow result handler used here (ArrowResultHandler, CloudFetchResultHandler). */
interface ArrowSource {
  fetchNext(options: { limit: number }): Promise<{ batches: Uint8Array[]; rowCount: number }>;
  hasMore(): Promise<boolean>;
}

const isArrowSource = (value: unknown): value is ArrowSource =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Partial<ArrowSource>).fetchNext === 'function' &&
  typeof (value as Partial<ArrowSource>).hasMore === 'function';

/**
 * The driver's undecoded Arrow batches behind an operation. `getResultHandler()` (a public method of the
 * driver's operation, kept for its own tests) answers the row slicer over the Arrow-to-rows converter over
 * the batch handler; the batch handler is taken only when every layer has the expected shape.
 */
async function arrowSourceOf(operation: Operation): Promise<ArrowSource | undefined> {
  const withHandler = operation as Partial<{ getResultHandler(): Promise<unknown> }>;
  if (typeof withHandler.getResultHandler !== 'function') return undefined;
  const slicer = (await withHandler.getResultHandler()) as { source?: { source?: unknown } } | undefined;
  const source = slicer?.source?.source;
  return isArrowSource(source) ? source : undefined;
}

const ARROW_FORMATS = new Set(['ARROW_BASED', 'URL_BASED']);

type Operation = Awaited<ReturnType<Awaited<ReturnType<DBSQLClient['openSession']>>['executeStatement']>>;

export async function openReadSession(
  target: SqlTarget,
  options: { readonly signal: AbortSignal; readonly socketTimeoutMs: number },
  hooks: ReadSessionHooks = {},
): Promise<ReadSession> {
  const { signal } = options;
  const client = new DBSQLClient({ logger: silent });
  let session: Awaited<ReturnType<DBSQLClient['openSession']>> | undefined;
  const operations = new Set<Operation>();
  let closed = false;

  const closeOperation = async (operation: Operation): Promise<void> => {
    if (!operations.delete(operation)) return;
    await operation.close().then(
      () => hooks.onClosed?.('operation'),
      () => undefined,
    );
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.all([...operations].map(closeOperation));
    if (session !== undefined) {
      await session.close().then(
        () => hooks.onClosed?.('session'),
        () => undefined,
      );
    }
    await client.close().catch(() => undefined);
  };

  try {
    await raceSignal(
      client.connect({
        host: target.host,
        port: target.port,
        path: target.path,
        token: target.token,
        telemetryEnabled: false,
        socketTimeout: options.socketTimeoutMs,
        retryMaxAttempts: 1,
        ...(target.extraCaCerts.length > 0 ? { customCaCert: target.extraCaCerts.join('\n') } : {}),
      }),
      signal,
    );
    const opening = client.openSession({ configuration: { 'spark.sql.session.timeZone': 'UTC' } });
    // A session that opens after an abort (or after close) is still closed.
    void opening
      .then((opened) => {
        session = opened;
        if (closed) return opened.close().then(() => hooks.onClosed?.('session'));
        return undefined;
      })
      .catch(() => undefined);
    session = await raceSignal(opening, signal);
  } catch (error) {
    void close();
    throw error;
  }
  const open = session;

  const execute = async (sql: string, params: readonly ReadParam[], maxRows?: number): Promise<Operation> => {
    const starting = open.executeStatement(sql, {
      ...(params.length > 0 ? { ordinalParameters: [...params] } : {}),
      ...(maxRows === undefined ? {} : { maxRows }),
    });
    // A statement that starts after close (an abort) is closed too.
    void starting
      .then(async (op) => {
        if (closed) await op.close();
        else operations.add(op);
      })
      .catch(() => undefined);
    const operation = await raceSignal(starting, signal);
    operations.add(operation);
    return operation;
  };

  return {
    async query(sql) {
      const operation = await execute(sql, []);
      try {
        return (await raceSignal(operation.fetchAll(), signal)) as Record<string, unknown>[];
      } finally {
        await closeOperation(operation);
      }
    },
    async stream(sql, params, maxRows) {
      const operation = await execute(sql, params, maxRows);
      let done = false;
      return {
        async next() {
          if (done) return undefined;
          const rows = (await raceSignal(operation.fetchChunk({ maxRows }), signal)) as Record<
            string,
            unknown
          >[];
          done = !(await raceSignal(operation.hasMoreRows(), signal));
          if (done) await closeOperation(operation);
          return rows;
        },
      };
    },
    async streamArrow(sql, params, maxRows) {
      const operation = await execute(sql, params, maxRows);
      const metadata = await raceSignal(operation.getResultMetadata(), signal);
      const source = ARROW_FORMATS.has(metadata.resultFormat)
        ? await raceSignal(arrowSourceOf(operation), signal)
        : undefined;
      if (source === undefined) {
        await closeOperation(operation);
        return undefined;
      }
      let done = false;
      return {
        async next() {
          while (!done) {
            if (!(await raceSignal(source.hasMore(), signal))) break;
            const chunk = await raceSignal(source.fetchNext({ limit: maxRows }), signal);
            if (chunk.rowCount > 0 && chunk.batches.length > 0) {
              return { messages: chunk.batches, rows: chunk.rowCount };
            }
          }
          done = true;
          await closeOperation(operation);
          return undefined;
        },
      };
    },
    close,
  };
}
