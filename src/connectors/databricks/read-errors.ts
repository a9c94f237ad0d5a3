/**
 * Maps a failure during a flow-run read to the AppError the runner decides on by code: retryable source
 * trouble is CONNECTOR-1503-503 (throttled, unavailable, a cluster that is starting), 1502-502 (the source
 * refused: a rejected token, a terminated cluster, a failed statement) or 1504-504 (no answer in time);
 * a missing table is 1340-404. `report.retryAfterMs` carries Databricks' Retry-After when it sent one.
 * Messages are built from the classification and the driver's token-scrubbed text, never the token.
 */
import { AppError, isAppError } from '../../domain/errors.ts';
import type { ConnectorContext } from '../connector.ts';
import type { Workspace } from './params.ts';
import { classifySqlError, type SqlTarget } from './sql-client.ts';

const STARTING = /is starting|PENDING|RESTARTING|RESIZING/i;

/** Retry-After (seconds or an HTTP date) of an answer the driver surfaced (`THTTPException.response`). */
function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: unknown } } | null)?.response?.headers;
  let text: unknown;
  // node-fetch's Headers (what the driver's transport returns) has get(); a plain object is indexed.
  const get = (headers as { get?: unknown } | null | undefined)?.get;
  if (typeof get === 'function') text = (get as (name: string) => unknown).call(headers, 'retry-after');
  else if (typeof headers === 'object' && headers !== null)
    text = (headers as Record<string, unknown>)['retry-after'];
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1_000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
};

export function readError(
  error: unknown,
  workspace: Workspace,
  target: SqlTarget,
  ctx: ConnectorContext,
  table: string,
): AppError {
  if (isAppError(error)) return error;
  const cluster = `cluster ${workspace.clusterId} at ${workspace.host}`;
  const status = statusOf(error);
  if (status === 429 || status === 503) {
    const wait = retryAfterMs(error);
    return new AppError(
      'CONNECTOR-1503-503',
      `Databricks (${cluster}) is throttling or unavailable (HTTP ${status}) while reading ${table}; the run will be retried.`,
      wait === undefined ? {} : { retryAfterMs: wait },
    );
  }
  const limit = { signal: ctx.signal, timeoutMs: ctx.timeouts.exploreMs };
  const sql = classifySqlError(error, target, limit);
  switch (sql.kind) {
    case 'auth':
      return new AppError(
        'CONNECTOR-1502-502',
        `Databricks rejected the credential (${sql.message}) while reading ${table}: the access token may have been revoked or expired. Update the connection with a new personal access token.`,
      );
    case 'cluster-not-running':
      return STARTING.test(sql.message)
        ? new AppError(
            'CONNECTOR-1503-503',
            `The ${cluster} is starting; the read will be retried once it runs.`,
          )
        : new AppError(
            'CONNECTOR-1502-502',
            `The ${cluster} stopped while reading ${table}; the next attempt starts it again. Databricks said: ${sql.message}`,
          );
    case 'table-not-found':
    case 'schema-not-found':
    case 'catalog-not-found':
      return new AppError(
        'CONNECTOR-1340-404',
        `The table ${table} does not exist or the token cannot read it.`,
        {
          table,
        },
      );
    case 'timeout':
      return new AppError(
        'CONNECTOR-1504-504',
        `Databricks (${cluster}) did not answer within ${ctx.timeouts.exploreMs} ms while reading ${table}.`,
      );
    case 'throttled':
      return new AppError(
        'CONNECTOR-1503-503',
        `Databricks (${cluster}) is throttling or unavailable (${sql.message}) while reading ${table}; the run will be retried.`,
      );
    // A refused or dropped connection is source trouble, retried with backoff — not a request to wait.
    case 'unavailable':
    case 'network':
    case 'aborted':
      return new AppError(
        'CONNECTOR-1502-502',
        `Databricks (${cluster}) could not be reached while reading ${table}: ${sql.message}.`,
      );
    case 'endpoint-not-found':
      return new AppError(
        'CONNECTOR-1502-502',
        `The SQL endpoint of the ${cluster} was not found (HTTP 404); check the clusterId and the domain of the connection.`,
      );
    case 'tls':
      return new AppError(
        'CONNECTOR-1502-502',
        `Cannot open a secure connection to Databricks: ${sql.message}.`,
      );
    case 'statement':
      return new AppError('CONNECTOR-1502-502', `Databricks failed the read of ${table}: ${sql.message}`);
  }
}
