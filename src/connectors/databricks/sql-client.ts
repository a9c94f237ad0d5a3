/**
 * The seam over the official `@databricks/sql` driver (Thrift over HTTPS). It guarantees:
 * - trust = the system roots + `extraCaCerts` (via `customCaCert`, which the driver adds to the bundled
 *   roots); certificate checks are never disabled; telemetry is off;
 * - every session is bounded: the work races a deadline (timeout or the caller's abort), and on expiry the
 *   client is closed in the background, because the driver's calls cannot be cancelled mid-flight;
 * - statements take bound ordinal parameters only; SQL text is built by the caller from quoted identifiers;
 * - driver failures come out as `SqlError` with a `kind` the connector maps to messages and codes.
 */
import { DBSQLClient, type LogLevel } from '@databricks/sql';
import { isAppError } from '../../domain/errors.ts';
import { classify, TransportError, type Deadline, type Endpoint } from './rest-client.ts';

export interface SqlTarget extends Endpoint {
  readonly path: string;
  readonly token: string;
}

export type SqlParam = string | number | boolean | null;

export interface SqlSession {
  /** Runs one statement with bound `?` parameters and returns every row, keyed by column name. */
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
}

export type SqlErrorKind =
  | 'auth'
  /** HTTP 429 or 503: Databricks asks to slow down or come back later. */
  | 'throttled'
  | 'endpoint-not-found'
  | 'cluster-not-running'
  | 'unavailable'
  | 'table-not-found'
  | 'schema-not-found'
  | 'catalog-not-found'
  | 'statement'
  | 'timeout'
  | 'aborted'
  | 'tls'
  | 'network';

export class SqlError extends Error {
  override readonly name = 'SqlError';
  readonly kind: SqlErrorKind;
  constructor(kind: SqlErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

const silent = { log: (_level: LogLevel, _message: string): void => undefined };

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
};

/** The driver error's text without anything that could be a header (the token travels in one). */
const textOf = (error: unknown): string => {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message.replace(/Bearer\s+\S+/gi, 'Bearer ***').slice(0, 500) : '';
};

const NOT_RUNNING =
  /not running|is terminated|TERMINATED|is starting|PENDING|CLUSTER_NOT_READY|TEMPORARILY_UNAVAILABLE/i;

export const classifySqlError = (error: unknown, target: SqlTarget, limit: Deadline): SqlError => {
  if (error instanceof SqlError) return error;
  const transport = (e: TransportError): SqlError =>
    new SqlError(e.kind === 'refused' || e.kind === 'unreachable' ? 'network' : e.kind, e.message, {
      cause: error,
    });
  if (limit.signal.aborted) return transport(classify(error, target, limit));
  const status = statusOf(error);
  const text = textOf(error);
  if (
    status === 401 ||
    status === 403 ||
    (/\b(401|403)\b/.test(text) && /status code|unauthori[sz]ed|forbidden/i.test(text))
  ) {
    return new SqlError('auth', `HTTP ${status ?? /\b40[13]\b/.exec(text)?.[0] ?? 401}`, {
      cause: error,
    });
  }
  if (status === 404) {
    return new SqlError('endpoint-not-found', `the SQL endpoint ${target.path} does not exist (HTTP 404)`, {
      cause: error,
    });
  }
  if (NOT_RUNNING.test(text)) return new SqlError('cluster-not-running', text, { cause: error });
  if (status === 429 || status === 503) {
    return new SqlError('throttled', `the SQL endpoint answered HTTP ${String(status)}`, { cause: error });
  }
  if (status !== undefined && status >= 500) {
    return new SqlError(
      'unavailable',
      `the SQL endpoint answered HTTP ${status}${text === '' ? '' : `: ${text}`}`,
      {
        cause: error,
      },
    );
  }
  if (/TABLE_OR_VIEW_NOT_FOUND/i.test(text)) return new SqlError('table-not-found', text, { cause: error });
  if (/SCHEMA_NOT_FOUND|DATABASE_NOT_FOUND/i.test(text))
    return new SqlError('schema-not-found', text, { cause: error });
  if (/CATALOG_NOT_FOUND/i.test(text)) return new SqlError('catalog-not-found', text, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$|CERT|SELF_SIGNED|UNABLE_TO|ALTNAME/.test(code)) {
    return transport(classify(error, target, limit));
  }
  const cause = (error as { cause?: unknown } | null)?.cause;
  const causeCode = (cause as { code?: unknown } | null)?.code;
  if (typeof causeCode === 'string') return transport(classify(cause, target, limit));
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket hang up|certificate|self.signed/i.test(text)) {
    return transport(
      classify(
        Object.assign(new Error(text), { code: /E[A-Z]{4,}/.exec(text)?.[0] ?? certCode(text) }),
        target,
        limit,
      ),
    );
  }
  return new SqlError('statement', text === '' ? 'the statement failed' : text, { cause: error });
};

const certCode = (text: string): string | undefined =>
  /self.signed|certificate/i.test(text) ? 'SELF_SIGNED_CERT_IN_CHAIN' : undefined;

const raceDeadline = <T>(work: Promise<T>, limit: Deadline): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (limit.signal.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const onAbort = (): void => {
      reject(new Error('aborted'));
    };
    limit.signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        limit.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        limit.signal.removeEventListener('abort', onAbort);
        // The driver's StatusError is not an Error instance: keep its text and the original as cause.
        reject(error instanceof Error ? error : new Error(textOf(error), { cause: error }));
      },
    );
  });

/**
 * Opens a client and a session, runs `work`, and closes both. Rejects with SqlError. The session's time
 * zone is UTC so timestamps cast to text are UTC wall-clock times.
 */
export const withSqlSession = async <T>(
  target: SqlTarget,
  limit: Deadline,
  work: (session: SqlSession) => Promise<T>,
): Promise<T> => {
  const client = new DBSQLClient({ logger: silent });
  let session: Awaited<ReturnType<DBSQLClient['openSession']>> | undefined;
  const run = async (): Promise<T> => {
    await client.connect({
      host: target.host,
      port: target.port,
      path: target.path,
      token: target.token,
      telemetryEnabled: false,
      socketTimeout: limit.timeoutMs,
      // Bounded by the caller's deadline: a retry loop must not outlive it.
      retryMaxAttempts: 1,
      ...(target.extraCaCerts.length > 0 ? { customCaCert: target.extraCaCerts.join('\n') } : {}),
    });
    session = await client.openSession({ configuration: { 'spark.sql.session.timeZone': 'UTC' } });
    const open = session;
    return work({
      async query(sql, params = []) {
        const operation = await open.executeStatement(sql, {
          ...(params.length > 0 ? { ordinalParameters: [...params] } : {}),
        });
        try {
          return (await operation.fetchAll()) as Record<string, unknown>[];
        } finally {
          await operation.close().catch(() => undefined);
        }
      },
    });
  };
  const closeAll = async (): Promise<void> => {
    await session?.close().catch(() => undefined);
    await client.close().catch(() => undefined);
  };
  try {
    const result = await raceDeadline(run(), limit);
    await raceDeadline(closeAll(), limit).catch(() => undefined);
    return result;
  } catch (error) {
    void closeAll();
    // The caller's own expected failures (an unknown filter column...) pass through unchanged.
    if (isAppError(error)) throw error;
    throw classifySqlError(error, target, limit);
  }
};
