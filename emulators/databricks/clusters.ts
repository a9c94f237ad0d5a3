/**
 * Cluster lifecycle and the REST API (clusters/get|list|start|delete, SCIM Me) with Databricks'
 * response and error shapes. The state machine follows Databricks: start is accepted only from
 * TERMINATED (or ERROR) and goes PENDING → RUNNING after the fixture's startDelayMs; delete goes
 * TERMINATING → TERMINATED.
 */
import type { ClusterFixture, ClusterState } from './fixture.ts';

export interface RestAnswer {
  status: number;
  body: unknown;
}

const stateWords: Record<ClusterState, string> = {
  RUNNING: 'Running',
  TERMINATED: 'Terminated',
  PENDING: 'Pending',
  ERROR: 'Error',
  RESTARTING: 'Restarting',
  TERMINATING: 'Terminating',
};

const stateMessages: Record<ClusterState, string> = {
  RUNNING: '',
  TERMINATED: 'Terminated by user',
  PENDING: 'Starting Spark',
  ERROR: 'Cluster failed to start',
  RESTARTING: 'Restarting Spark',
  TERMINATING: 'Terminating cluster',
};

export const restError = (status: number, errorCode: string, message: string): RestAnswer => ({
  status,
  body: { error_code: errorCode, message },
});

interface ClusterEntry extends ClusterFixture {
  startTime: number;
  terminatedTime?: number;
}

export class ClusterRegistry {
  private readonly clusters = new Map<string, ClusterEntry>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Called when a cluster leaves RUNNING, so its SQL sessions die with it. */
  onStopped: (clusterId: string) => void = () => undefined;

  constructor(fixtures: ClusterFixture[]) {
    const now = Date.now();
    for (const cluster of fixtures) {
      this.clusters.set(cluster.id, {
        ...cluster,
        startTime: now - 3_600_000,
        ...(cluster.state === 'TERMINATED' ? { terminatedTime: now - 60_000 } : {}),
      });
    }
  }

  get(id: string): ClusterEntry | undefined {
    return this.clusters.get(id);
  }

  ids(): string[] {
    return [...this.clusters.keys()];
  }

  setState(id: string, state: ClusterState): void {
    const cluster = this.clusters.get(id);
    if (!cluster) throw new Error(`Cluster ${id} does not exist`);
    const wasRunning = cluster.state === 'RUNNING';
    cluster.state = state;
    if (state === 'RUNNING') cluster.startTime = Date.now();
    if (state === 'TERMINATED') cluster.terminatedTime = Date.now();
    if (wasRunning && state !== 'RUNNING') this.onStopped(id);
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  describe(cluster: ClusterEntry): Record<string, unknown> {
    return {
      cluster_id: cluster.id,
      cluster_name: cluster.name,
      spark_version: '15.4.x-scala2.12',
      node_type_id: 'Standard_DS3_v2',
      driver_node_type_id: 'Standard_DS3_v2',
      num_workers: cluster.kind === 'job' ? 2 : 1,
      autotermination_minutes: cluster.kind === 'job' ? 0 : 120,
      state: cluster.state,
      state_message: stateMessages[cluster.state],
      cluster_source: cluster.kind === 'job' ? 'JOB' : 'UI',
      creator_user_name: 'emulator@sluice.local',
      data_security_mode: 'USER_ISOLATION',
      spark_context_id: 4_020_997_813_441_462_000,
      start_time: cluster.startTime,
      ...(cluster.state === 'TERMINATED'
        ? {
            terminated_time: cluster.terminatedTime ?? Date.now(),
            termination_reason: {
              code: 'USER_REQUEST',
              type: 'SUCCESS',
              parameters: { username: 'emulator@sluice.local' },
            },
          }
        : {}),
      default_tags: {
        Vendor: 'Databricks',
        Creator: 'emulator@sluice.local',
        ClusterName: cluster.name,
        ClusterId: cluster.id,
      },
    };
  }

  private start(id: string): RestAnswer {
    const cluster = this.clusters.get(id);
    if (!cluster) return restError(400, 'INVALID_PARAMETER_VALUE', `Cluster ${id} does not exist`);
    if (cluster.state !== 'TERMINATED' && cluster.state !== 'ERROR') {
      return restError(
        400,
        'INVALID_STATE',
        `Cluster ${id} is in unexpected state ${stateWords[cluster.state]}.`,
      );
    }
    this.setState(id, 'PENDING');
    this.later(cluster.startDelayMs ?? 200, () => {
      if (cluster.state === 'PENDING') this.setState(id, 'RUNNING');
    });
    return { status: 200, body: {} };
  }

  private terminate(id: string): RestAnswer {
    const cluster = this.clusters.get(id);
    if (!cluster) return restError(400, 'INVALID_PARAMETER_VALUE', `Cluster ${id} does not exist`);
    if (cluster.state === 'TERMINATED' || cluster.state === 'TERMINATING') return { status: 200, body: {} };
    this.setState(id, 'TERMINATING');
    this.later(Math.min(cluster.startDelayMs ?? 200, 200), () => {
      if (cluster.state === 'TERMINATING') this.setState(id, 'TERMINATED');
    });
    return { status: 200, body: {} };
  }

  /** Answers an authenticated REST call; `body` is the parsed JSON body of a POST ({} when absent). */
  handle(method: string, url: URL, body: Record<string, unknown>): RestAnswer {
    const path = url.pathname.replace(/\/+$/, '');
    const clusterId = (): string => {
      const value = method === 'GET' ? url.searchParams.get('cluster_id') : body['cluster_id'];
      return typeof value === 'string' ? value : '';
    };
    const route = `${method} ${path}`;
    switch (route) {
      case 'GET /api/2.0/clusters/get':
      case 'GET /api/2.1/clusters/get': {
        const id = clusterId();
        if (id === '') return restError(400, 'INVALID_PARAMETER_VALUE', 'Missing required field: cluster_id');
        const cluster = this.clusters.get(id);
        if (!cluster) return restError(400, 'INVALID_PARAMETER_VALUE', `Cluster ${id} does not exist`);
        return { status: 200, body: this.describe(cluster) };
      }
      case 'GET /api/2.0/clusters/list':
      case 'GET /api/2.1/clusters/list':
        return { status: 200, body: { clusters: [...this.clusters.values()].map((c) => this.describe(c)) } };
      case 'POST /api/2.0/clusters/start':
      case 'POST /api/2.1/clusters/start': {
        const id = clusterId();
        if (id === '') return restError(400, 'INVALID_PARAMETER_VALUE', 'Missing required field: cluster_id');
        return this.start(id);
      }
      case 'POST /api/2.0/clusters/delete':
      case 'POST /api/2.1/clusters/delete': {
        const id = clusterId();
        if (id === '') return restError(400, 'INVALID_PARAMETER_VALUE', 'Missing required field: cluster_id');
        return this.terminate(id);
      }
      case 'GET /api/2.0/preview/scim/v2/Me':
        return {
          status: 200,
          body: {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            id: '4242424242424242',
            userName: 'emulator@sluice.local',
            displayName: 'Sluice Emulator',
            active: true,
            emails: [{ type: 'work', value: 'emulator@sluice.local', primary: true }],
            groups: [{ display: 'users', type: 'direct', value: '1' }],
          },
        };
      default:
        if (path.startsWith('/api/')) {
          const known = ['/api/2.0/clusters/', '/api/2.1/clusters/', '/api/2.0/preview/scim/v2/Me'].some(
            (p) => path.startsWith(p),
          );
          if (known && !/\/(get|list|start|delete|Me)$/.test(path)) {
            return restError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${path}'`);
          }
          if (known) return restError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed for ${path}`);
        }
        return restError(404, 'ENDPOINT_NOT_FOUND', `No API found for '${method} ${path}'`);
    }
  }
}
