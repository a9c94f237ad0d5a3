/**
 * The connection test, in stages: parse → reach → authenticate → cluster → database. Each stage runs under
 * `ctx.timeouts.stageMs` and `ctx.signal`; the first failure ends the test and the later stages are
 * `skipped`. Expected failures are values (TestOutcome), never exceptions, and no message contains the token.
 * The test never starts a cluster: a stopped cluster fails the `cluster` stage with what to do.
 */
import { AppError, isAppError, type ErrorCode } from '../../domain/errors.ts';
import type { AuthParams, ConnectorContext, StageOutcome, TestOutcome } from '../connector.ts';
import { ClusterLookupError, endpointOf, getCluster } from './cluster.ts';
import { ParamsError, parseWorkspace, type Workspace } from './params.ts';
import { deadline, probeTls, restCall, TransportError, type Deadline } from './rest-client.ts';
import { SqlError, withSqlSession } from './sql-client.ts';
import { sqlTarget } from './session.ts';

/** An expected stage failure; an AppError so it passes unchanged through the driver seam. */
const stageFailure = (message: string): AppError => new AppError('CONNECTOR-1308-400', message);

const STAGES = ['parse', 'reach', 'authenticate', 'cluster', 'database'] as const;

const transportMessage = (error: TransportError, what: string): string => {
  switch (error.kind) {
    case 'tls':
      return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
    case 'refused':
      return `Could not connect to ${what}: ${error.message}. Check the domain (and port) of the workspace.`;
    case 'unreachable':
      return `Could not connect to ${what}: ${error.message}. Check the domain and the network path from Sluice.`;
    case 'timeout':
      return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)} (${what}). Check the domain and that the network (firewall, proxy) lets Sluice reach the workspace.`;
    case 'aborted':
      return 'The connection test was cancelled.';
    case 'network':
      return `Could not talk to ${what}: ${error.message}.`;
  }
};

const sqlMessage = (error: SqlError, workspace: Workspace): string => {
  switch (error.kind) {
    case 'auth':
      return `The SQL endpoint rejected the access token (${error.message}). Create a new personal access token and update the connection.`;
    case 'cluster-not-running':
      return `The cluster ${workspace.clusterId} is not running; the cluster must be running to create the connection; start it in the workspace UI (Compute → Start) or with POST /api/2.0/clusters/start. Databricks said: ${error.message}`;
    case 'endpoint-not-found':
      return `The SQL endpoint /sql/protocolv1/o/${workspace.workspaceId}/${workspace.clusterId} does not exist (HTTP 404). Check the workspace URL and the clusterId.`;
    case 'timeout':
      return `The SQL endpoint of cluster ${workspace.clusterId} did not answer in time (${error.message}). Check that the cluster is healthy and retry.`;
    default:
      return `The SQL endpoint of cluster ${workspace.clusterId} failed: ${error.message}.`;
  }
};

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

const firstValue = (row: Record<string, unknown>): string => {
  const value = Object.values(row)[0];
  return typeof value === 'string' ? value : '';
};

export const testConnection = async (params: AuthParams, ctx: ConnectorContext): Promise<TestOutcome> => {
  let workspace: Workspace | undefined;
  const ws = (): Workspace => workspace as Workspace;

  const run: Record<(typeof STAGES)[number], (limit: Deadline) => Promise<void>> = {
    parse: () => {
      try {
        workspace = parseWorkspace(params);
      } catch (error) {
        if (error instanceof ParamsError) throw stageFailure(error.message);
        throw error;
      }
      return Promise.resolve();
    },
    reach: async (limit) => {
      await ctx.egress.assertAllowed(ws().host, ws().port);
      await probeTls(endpointOf(ws(), ctx), limit);
    },
    authenticate: async (limit) => {
      const res = await restCall(
        endpointOf(ws(), ctx),
        ws().token,
        { method: 'GET', path: '/api/2.0/preview/scim/v2/Me' },
        limit,
      );
      if (res.status === 401 || res.status === 403) {
        throw stageFailure(
          `The workspace rejected the access token (HTTP ${res.status}). Create a new personal access token (User Settings → Developer → Access tokens) and update the connection.`,
        );
      }
      if (res.status === 429 || res.status >= 500) {
        throw stageFailure(
          `The workspace ${ws().host} is busy or unavailable (HTTP ${res.status}); try the test again later.`,
        );
      }
      if (res.status !== 200) {
        throw stageFailure(
          `${ws().host} answered HTTP ${res.status} to GET /api/2.0/preview/scim/v2/Me; check that the domain is the URL of a Databricks workspace.`,
        );
      }
    },
    cluster: async (limit) => {
      const cluster = await getCluster(ws(), endpointOf(ws(), ctx), limit);
      if (cluster.source === 'JOB') {
        throw stageFailure(
          `The cluster ${cluster.id} is a job cluster; job clusters cannot serve interactive queries. Use an all-purpose cluster.`,
        );
      }
      if (cluster.state !== 'RUNNING') {
        throw stageFailure(
          `The cluster ${cluster.id} is ${cluster.state}; the cluster must be running to create the connection; start it in the workspace UI (Compute → Start) or with POST /api/2.0/clusters/start.`,
        );
      }
    },
    database: async (limit) => {
      const { catalog, database } = ws();
      await withSqlSession(sqlTarget(ws(), ctx), limit, async (session) => {
        if (catalog !== undefined) {
          const catalogs = (await session.query('SHOW CATALOGS')).map(firstValue);
          if (!catalogs.some((name) => sameName(name, catalog))) {
            throw stageFailure(
              `The catalog "${catalog}" does not exist in the workspace or the token cannot see it. Check the catalog name, or leave it empty to use the default catalog.`,
            );
          }
        }
        const schemas = await session.query(
          catalog === undefined ? 'SHOW DATABASES' : `SHOW DATABASES IN \`${catalog.replace(/`/g, '``')}\``,
        );
        if (!schemas.map(firstValue).some((name) => sameName(name, database))) {
          const where = catalog === undefined ? 'the default catalog' : `catalog "${catalog}"`;
          throw stageFailure(
            `The database "${database}" does not exist in ${where} or the token cannot see it. Check the database name (SHOW DATABASES lists them).`,
          );
        }
      });
    },
  };

  const stages: StageOutcome[] = [];
  let failure: TestOutcome['failure'];
  for (const name of STAGES) {
    if (failure !== undefined) {
      stages.push({ name, status: 'skipped', durationMs: 0 });
      continue;
    }
    const started = performance.now();
    const limit = deadline(ctx.signal, ctx.timeouts.stageMs);
    try {
      await bounded(run[name](limit), limit);
      stages.push({ name, status: 'passed', durationMs: Math.round(performance.now() - started) });
    } catch (error) {
      const { code, message } = describeFailure(error, name, ctx.timeouts.stageMs, workspace);
      failure = { stage: name, code, message };
      stages.push({ name, status: 'failed', durationMs: Math.round(performance.now() - started), message });
    }
  }
  return failure === undefined ? { ok: true, stages } : { ok: false, stages, failure };
};

/** Guarantees the stage settles by its deadline even if the work ignores the signal. */
const bounded = <T>(work: Promise<T>, limit: Deadline): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_resolve, reject) => {
      const fail = (): void => {
        reject(new TransportError(isTimeout(limit) ? 'timeout' : 'aborted', 'no answer before the deadline'));
      };
      if (limit.signal.aborted) fail();
      else limit.signal.addEventListener('abort', fail, { once: true });
    }),
  ]);

const isTimeout = (limit: Deadline): boolean => {
  const reason: unknown = limit.signal.reason;
  return reason instanceof DOMException && reason.name === 'TimeoutError';
};

const describeFailure = (
  error: unknown,
  stage: string,
  stageMs: number,
  workspace: Workspace | undefined,
): { code: ErrorCode; message: string } => {
  const where = workspace === undefined ? 'the workspace' : `${workspace.host}:${workspace.port}`;
  if (isAppError(error)) {
    return {
      code: error.code === 'CONNECTOR-1309-400' ? error.code : 'CONNECTOR-1308-400',
      message: error.message,
    };
  }
  if (error instanceof TransportError) {
    if (error.kind === 'timeout') {
      return {
        code: 'CONNECTOR-1308-400',
        message: `The ${stage} stage did not complete within ${stageMs} ms: ${where} did not answer. Check the domain and that the network (firewall, proxy) lets Sluice reach the workspace.`,
      };
    }
    return { code: 'CONNECTOR-1308-400', message: transportMessage(error, where) };
  }
  if (error instanceof ClusterLookupError) {
    const message =
      error.kind === 'auth'
        ? `The workspace rejected the access token when reading the cluster (HTTP ${error.status}); the token needs permission to view the cluster.`
        : error.kind === 'unknown-cluster'
          ? `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}. Check the clusterId (Compute → the cluster → the id in its URL).`
          : `Cannot read the cluster: ${error.message}.`;
    return { code: 'CONNECTOR-1308-400', message };
  }
  if (error instanceof SqlError && workspace !== undefined) {
    if (error.kind === 'timeout' || error.kind === 'aborted') {
      return {
        code: 'CONNECTOR-1308-400',
        message: `The ${stage} stage did not complete within ${stageMs} ms: the SQL endpoint of cluster ${workspace.clusterId} did not answer. Check that the cluster is healthy and retry.`,
      };
    }
    return { code: 'CONNECTOR-1308-400', message: sqlMessage(error, workspace) };
  }
  return { code: 'CONNECTOR-1308-400', message: `The ${stage} stage failed unexpectedly.` };
};
