/**
 * Cluster state through the workspace REST API (`/api/2.0/clusters/get`, `/clusters/start`). Connection
 * tests and explore only READ the state; `ensureClusterRunning` (used by flow runs) is the only place that
 * starts a cluster, because starting one costs the customer money and takes minutes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../domain/errors.ts';
import type { AuthParams, ConnectorContext } from '../connector.ts';
import { parseWorkspace, ParamsError, type Workspace } from './params.ts';
import {
  deadline,
  restCall,
  restError,
  TransportError,
  type Deadline,
  type Endpoint,
} from './rest-client.ts';

export interface ClusterInfo {
  readonly id: string;
  readonly name: string;
  /** RUNNING, PENDING, RESTARTING, RESIZING, TERMINATING, TERMINATED, ERROR, UNKNOWN. */
  readonly state: string;
  readonly stateMessage: string;
  /** UI, API (all-purpose clusters) or JOB (job clusters, which cannot serve interactive queries). */
  readonly source: string;
}

/** A REST answer that is not the cluster: `kind` tells the caller which message to give. */
export class ClusterLookupError extends Error {
  override readonly name = 'ClusterLookupError';
  readonly kind: 'auth' | 'unknown-cluster' | 'http';
  readonly status: number;
  constructor(kind: 'auth' | 'unknown-cluster' | 'http', status: number, message: string) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

export const endpointOf = (workspace: Workspace, ctx: Pick<ConnectorContext, 'extraCaCerts'>): Endpoint => ({
  host: workspace.host,
  port: workspace.port,
  extraCaCerts: ctx.extraCaCerts,
});

const str = (record: Record<string, unknown>, key: string): string => {
  const value = record[key];
  return typeof value === 'string' ? value : '';
};

export const getCluster = async (
  workspace: Workspace,
  endpoint: Endpoint,
  limit: Deadline,
): Promise<ClusterInfo> => {
  const res = await restCall(
    endpoint,
    workspace.token,
    { method: 'GET', path: `/api/2.0/clusters/get?cluster_id=${encodeURIComponent(workspace.clusterId)}` },
    limit,
  );
  if (res.status === 401 || res.status === 403) {
    throw new ClusterLookupError(
      'auth',
      res.status,
      `the workspace rejected the access token (HTTP ${res.status})`,
    );
  }
  if (res.status !== 200) {
    const { code, message } = restError(res.body);
    if (code === 'INVALID_PARAMETER_VALUE' || code === 'RESOURCE_DOES_NOT_EXIST' || res.status === 404) {
      throw new ClusterLookupError(
        'unknown-cluster',
        res.status,
        `the cluster ${workspace.clusterId} does not exist in the workspace ${workspace.host}${message === '' || message.includes('does not exist') ? '' : ` (${message})`}`,
      );
    }
    throw new ClusterLookupError(
      'http',
      res.status,
      `GET /api/2.0/clusters/get answered HTTP ${res.status}${code === '' ? '' : ` ${code}`}`,
    );
  }
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
  return {
    id: str(body, 'cluster_id') || workspace.clusterId,
    name: str(body, 'cluster_name'),
    state: str(body, 'state') || 'UNKNOWN',
    stateMessage: str(body, 'state_message'),
    source: str(body, 'cluster_source'),
  };
};

export interface EnsureRunningOptions {
  /** Start a TERMINATED cluster (flow runs do; explore and connection tests never do). */
  readonly startIfTerminated: boolean;
  /** How long to wait for RUNNING in total, including the start. */
  readonly waitMs: number;
}

const WAITING_STATES = new Set(['PENDING', 'RESTARTING', 'RESIZING', 'TERMINATING', 'UNKNOWN']);

const sourceError = (error: unknown, clusterId: string): AppError => {
  if (error instanceof AppError) return error;
  if (error instanceof ClusterLookupError) {
    return new AppError(
      error.kind === 'http' ? 'CONNECTOR-1502-502' : 'CONNECTOR-1308-400',
      `Cannot use cluster ${clusterId}: ${error.message}.`,
    );
  }
  if (error instanceof TransportError) {
    return new AppError(
      error.kind === 'timeout' ? 'CONNECTOR-1504-504' : 'CONNECTOR-1502-502',
      `Cannot read the state of cluster ${clusterId}: ${error.message}.`,
    );
  }
  if (error instanceof ParamsError) return new AppError('CONNECTOR-1312-400', error.message);
  return new AppError(
    'CONNECTOR-1502-502',
    `Cannot read the state of cluster ${clusterId}.`,
    {},
    { cause: error },
  );
};

/**
 * Makes sure the connection's cluster is RUNNING: a TERMINATED cluster is started (when allowed) and the
 * state is polled with backoff (0.25 s growing to 5 s) until RUNNING, ERROR, `waitMs` or `ctx.signal`.
 * Throws AppError: job cluster or unknown cluster → CONNECTOR-1308-400; not running and not allowed to
 * start, or ERROR → CONNECTOR-1502-502; still not running after `waitMs` → CONNECTOR-1504-504.
 */
export const ensureClusterRunning = async (
  params: AuthParams,
  ctx: ConnectorContext,
  options: EnsureRunningOptions,
): Promise<ClusterInfo> => {
  let workspace: Workspace;
  try {
    workspace = parseWorkspace(params);
  } catch (error) {
    throw sourceError(error, String(params.clusterId));
  }
  const endpoint = endpointOf(workspace, ctx);
  await ctx.egress.assertAllowed(workspace.host, workspace.port);
  const started = Date.now();
  const remaining = (): number => options.waitMs - (Date.now() - started);
  let delayMs = 250;
  let startRequested = false;
  for (;;) {
    let cluster: ClusterInfo;
    try {
      cluster = await getCluster(
        workspace,
        endpoint,
        deadline(ctx.signal, Math.max(1, Math.min(ctx.timeouts.stageMs, remaining()))),
      );
    } catch (error) {
      throw sourceError(error, workspace.clusterId);
    }
    if (cluster.source === 'JOB') {
      throw new AppError(
        'CONNECTOR-1308-400',
        `Cluster ${cluster.id} is a job cluster; job clusters cannot serve interactive queries. Use an all-purpose cluster.`,
      );
    }
    if (cluster.state === 'RUNNING') return cluster;
    if (cluster.state === 'ERROR') {
      throw new AppError(
        'CONNECTOR-1502-502',
        `Cluster ${cluster.id} is in state ERROR${cluster.stateMessage === '' ? '' : `: ${cluster.stateMessage}`}.`,
      );
    }
    if (cluster.state === 'TERMINATED' && !startRequested) {
      if (!options.startIfTerminated) {
        throw new AppError(
          'CONNECTOR-1502-502',
          `Cluster ${cluster.id} is TERMINATED; start it in the workspace UI (Compute → Start) or with POST /api/2.0/clusters/start.`,
        );
      }
      await startCluster(
        workspace,
        endpoint,
        deadline(ctx.signal, Math.max(1, Math.min(ctx.timeouts.stageMs, remaining()))),
      );
      startRequested = true;
    } else if (!WAITING_STATES.has(cluster.state) && cluster.state !== 'TERMINATED') {
      throw new AppError(
        'CONNECTOR-1502-502',
        `Cluster ${cluster.id} is in unexpected state ${cluster.state}.`,
      );
    }
    if (remaining() <= 0) {
      throw new AppError(
        'CONNECTOR-1504-504',
        `Cluster ${cluster.id} did not reach RUNNING within ${options.waitMs} ms (last state ${cluster.state}).`,
      );
    }
    await sleep(Math.min(delayMs, Math.max(1, remaining())), undefined, { signal: ctx.signal }).catch(() => {
      throw new AppError('CONNECTOR-1504-504', `Waiting for cluster ${cluster.id} to start was cancelled.`);
    });
    delayMs = Math.min(delayMs * 2, 5_000);
  }
};

const startCluster = async (workspace: Workspace, endpoint: Endpoint, limit: Deadline): Promise<void> => {
  let res;
  try {
    res = await restCall(
      endpoint,
      workspace.token,
      { method: 'POST', path: '/api/2.0/clusters/start', body: { cluster_id: workspace.clusterId } },
      limit,
    );
  } catch (error) {
    throw sourceError(error, workspace.clusterId);
  }
  // INVALID_STATE means someone else already started it (it is PENDING or RUNNING): keep polling.
  if (res.status === 200 || restError(res.body).code === 'INVALID_STATE') return;
  if (res.status === 401 || res.status === 403) {
    throw new AppError(
      'CONNECTOR-1308-400',
      `Cannot start cluster ${workspace.clusterId}: the access token was rejected or may not start clusters (HTTP ${res.status}).`,
    );
  }
  throw new AppError(
    'CONNECTOR-1502-502',
    `Cannot start cluster ${workspace.clusterId}: POST /api/2.0/clusters/start answered HTTP ${res.status} ${restError(res.body).code}.`,
  );
};
