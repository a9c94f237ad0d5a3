/**
 * One bounded SQL session for explore and preview: parse the params, pass the egress policy, open the
 * driver session on the connection's cluster, and turn every failure into an AppError whose message says
 * what happened and what to do (never the token). Used by listTables, describeTable and preview.
 */
import { AppError, isAppError } from '../../domain/errors.ts';
import type { AuthParams, ConnectorContext } from '../connector.ts';
import { endpointOf } from './cluster.ts';
import { ParamsError, parseWorkspace, sqlPath, type Workspace } from './params.ts';
import { deadline } from './rest-client.ts';
import { SqlError, withSqlSession, type SqlSession, type SqlTarget } from './sql-client.ts';

export const sqlTarget = (workspace: Workspace, ctx: Pick<ConnectorContext, 'extraCaCerts'>): SqlTarget => ({
  ...endpointOf(workspace, ctx),
  path: sqlPath(workspace),
  token: workspace.token,
});

/** Maps a SqlError of an explore call to the public error; `table` names the table when there is one. */
export const exploreError = (
  error: SqlError,
  workspace: Workspace,
  timeoutMs: number,
  table?: string,
): AppError => {
  const cluster = `cluster ${workspace.clusterId} at ${workspace.host}`;
  switch (error.kind) {
    case 'timeout':
      return new AppError(
        'CONNECTOR-1504-504',
        `Databricks (${cluster}) did not answer within ${timeoutMs} ms; the cluster may be overloaded or starting. Try again later.`,
      );
    case 'aborted':
      return new AppError('CONNECTOR-1504-504', `The request to Databricks (${cluster}) was cancelled.`);
    case 'auth':
      return new AppError(
        'CONNECTOR-1502-502',
        `Databricks rejected the access token (${error.message}); it may have been revoked or expired. Update the connection with a new personal access token.`,
      );
    case 'cluster-not-running':
      return new AppError(
        'CONNECTOR-1502-502',
        `The ${cluster} is not running; start it in the workspace UI (Compute → Start) or with POST /api/2.0/clusters/start, then retry. Databricks said: ${error.message}`,
      );
    case 'endpoint-not-found':
      return new AppError(
        'CONNECTOR-1502-502',
        `The SQL endpoint of the ${cluster} was not found (HTTP 404); check the clusterId and the domain of the connection.`,
      );
    case 'table-not-found':
      return new AppError(
        'CONNECTOR-1340-404',
        `The table ${table ?? ''} does not exist or the token cannot read it.`,
        {
          ...(table === undefined ? {} : { table }),
        },
      );
    case 'schema-not-found':
    case 'catalog-not-found':
      return table === undefined
        ? new AppError(
            'CONNECTOR-1308-400',
            `The database ${workspace.catalog === undefined ? '' : `${workspace.catalog}.`}${workspace.database} of the connection does not exist or the token cannot see it (${error.message}).`,
          )
        : new AppError('CONNECTOR-1340-404', `The table ${table} does not exist: ${error.message}`, {
            table,
          });
    case 'throttled':
      return new AppError(
        'CONNECTOR-1503-503',
        `Databricks (${cluster}) is throttling or unavailable (${error.message}). Try again later.`,
      );
    // Not an answer to slow down: the host refused, could not be reached, or failed (5xx).
    case 'unavailable':
    case 'network':
      return new AppError(
        'CONNECTOR-1502-502',
        `Databricks (${cluster}) cannot be reached: ${error.message}.`,
      );
    case 'tls':
      return new AppError(
        'CONNECTOR-1502-502',
        `Cannot open a secure connection to Databricks: ${error.message}.`,
      );
    case 'statement':
      return new AppError('CONNECTOR-1502-502', `Databricks failed the query: ${error.message}`);
  }
};

/**
 * Runs `work` in a session bounded by `ctx.timeouts.exploreMs`. Throws AppError only: CONNECTOR-1312-400
 * for params that do not parse, CONNECTOR-1309-400 from the egress policy, and the exploreError mapping.
 */
export const withExploreSession = async <T>(
  params: AuthParams,
  ctx: ConnectorContext,
  work: (session: SqlSession, workspace: Workspace) => Promise<T>,
  table?: string,
): Promise<T> => {
  let workspace: Workspace;
  try {
    workspace = parseWorkspace(params);
  } catch (error) {
    if (error instanceof ParamsError) throw new AppError('CONNECTOR-1312-400', error.message);
    throw error;
  }
  await ctx.egress.assertAllowed(workspace.host, workspace.port);
  const limit = deadline(ctx.signal, ctx.timeouts.exploreMs);
  try {
    return await withSqlSession(sqlTarget(workspace, ctx), limit, (session) => work(session, workspace));
  } catch (error) {
    if (isAppError(error)) throw error;
    if (error instanceof SqlError) throw exploreError(error, workspace, ctx.timeouts.exploreMs, table);
    throw new AppError(
      'CONNECTOR-1502-502',
      'Databricks failed the request unexpectedly.',
      {},
      { cause: error },
    );
  }
};
