/**
 * The Databricks workspace emulator: HTTPS (throwaway CA), the REST calls a connector makes, and
 * the Thrift TCLIService SQL endpoint the official @databricks/sql driver speaks, executed by DuckDB.
 * See README.md for the fixture format and for what is not emulated.
 */
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TBinaryProtocol, TBufferedTransport } from 'thrift';
import TCLIService from '@databricks/sql/thrift/TCLIService.js';
import { ClusterRegistry, restError, type RestAnswer } from './clusters.ts';
import { Engine } from './engine.ts';
import { defaultFixture, type ClusterState, type WorkspaceFixture } from './fixture.ts';
import { errorStatus, statusOnlyResponse, ThriftService, type SqlStats } from './thrift-service.ts';
import { createServerCredentials } from './tls.ts';

export type {
  ClusterState,
  ClusterFixture,
  ColumnFixture,
  TableFixture,
  WorkspaceFixture,
} from './fixture.ts';
export { defaultFixture } from './fixture.ts';

export interface EmulatorStats extends SqlStats {
  restCalls: number;
}

export interface FaultSpec {
  target: 'rest' | 'sql' | 'any';
  status: number;
  times: number;
  retryAfterSeconds?: number;
}

export interface DatabricksEmulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly caPem: string;
  readonly caFile: string;
  readonly workspaceId: string;
  readonly token: string;
  readonly clusterId: string;
  httpPath(clusterId?: string): string;
  setClusterState(clusterId: string, state: ClusterState): void;
  addToken(token: string): void;
  revokeToken(token: string): void;
  exec(sql: string, params?: unknown[]): Promise<void>;
  readonly stats: EmulatorStats;
  resetStats(): void;
  injectFault(fault: FaultSpec): void;
  setHang(on: boolean): void;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  fixture?: WorkspaceFixture;
  port?: number;
  host?: string;
  dir?: string;
  /**
   * 'arrow' (default): statements answer ARROW_BASED_SET when the driver can read Arrow (its default), as
   * real Databricks does; metadata calls stay column-based. 'column': every result is COLUMN_BASED_SET
   * (what older runtimes answer; Sluice's row read path).
   */
  resultFormat?: 'column' | 'arrow';
}

const faultCodes: Record<number, string> = {
  429: 'REQUEST_LIMIT_EXCEEDED',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'TEMPORARILY_UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

function send(res: ServerResponse, answer: RestAnswer, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'Content-Type': 'application/json', ...headers });
  res.end(body);
}

/** Non-200 answers on the Thrift path also carry the message in the header Databricks uses for it. */
function sendSqlError(res: ServerResponse, answer: RestAnswer, headers: Record<string, string> = {}): void {
  const message = (answer.body as { message?: string }).message ?? '';
  send(res, answer, { 'x-thriftserver-error-message': message, ...headers });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function clusterRefusal(cluster: { id: string; kind: string; state: ClusterState }): string | undefined {
  if (cluster.kind === 'job') {
    return `Cluster ${cluster.id} is a job cluster: interactive SQL (JDBC/ODBC) connections are not allowed on job clusters. Use an all-purpose (interactive) cluster or a SQL warehouse.`;
  }
  if (cluster.state === 'PENDING' || cluster.state === 'RESTARTING') {
    return `Cluster ${cluster.id} is not running: it is starting (state ${cluster.state}). Retry once the cluster is RUNNING.`;
  }
  if (cluster.state !== 'RUNNING') {
    return `Cluster ${cluster.id} is not running (state ${cluster.state}). Start it with POST /api/2.0/clusters/start and retry once it is RUNNING.`;
  }
  return undefined;
}

export async function startDatabricksEmulator(options: EmulatorOptions = {}): Promise<DatabricksEmulator> {
  const fixture: WorkspaceFixture = structuredClone(options.fixture ?? defaultFixture);
  const host = options.host ?? '127.0.0.1';
  const workspaceId = fixture.workspaceId ?? '0';
  const tokens = new Set(fixture.tokens);
  const revoked = new Set<string>();
  const stats: EmulatorStats = { statements: [], rowsFetched: 0, fetchCalls: 0, restCalls: 0 };
  const faults: FaultSpec[] = [];
  let hanging = false;
  let waiters: (() => void)[] = [];

  const engine = await Engine.create(fixture);
  const clusters = new ClusterRegistry(fixture.clusters);
  const service = new ThriftService(engine, stats, { arrow: options.resultFormat !== 'column' });
  clusters.onStopped = (id) => {
    service.dropSessions(id);
  };

  const credentials = createServerCredentials(host === '0.0.0.0' || host === '::' ? [] : [host]);
  // A temp folder the emulator made is its own: stop() removes it (the CA with it).
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'databricks-emulator-'));
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, 'databricks-emulator-ca.pem');
  writeFileSync(caFile, credentials.caPem);

  /** 401 for a missing or unknown token, 403 PERMISSION_DENIED for a revoked one. */
  function authenticate(req: IncomingMessage): RestAnswer | undefined {
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const token = match?.[1]?.trim();
    if (token === undefined) {
      return restError(
        401,
        'UNAUTHENTICATED',
        'Credential was not sent or was of an unsupported type for this API.',
      );
    }
    if (revoked.has(token))
      return restError(403, 'PERMISSION_DENIED', 'Invalid access token: the token has been revoked.');
    if (!tokens.has(token)) return restError(401, 'UNAUTHENTICATED', 'Invalid access token.');
    return undefined;
  }

  function takeFault(target: 'rest' | 'sql'): FaultSpec | undefined {
    const fault = faults.find((f) => f.times > 0 && (f.target === 'any' || f.target === target));
    if (!fault) return undefined;
    fault.times--;
    if (fault.times <= 0) faults.splice(faults.indexOf(fault), 1);
    return fault;
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req);
    const denied = authenticate(req);
    if (denied) {
      sendSqlError(res, denied);
      return;
    }
    const match = /^\/sql\/protocolv1\/o\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    const cluster =
      match && match[1] === workspaceId ? clusters.get(decodeURIComponent(match[2] ?? '')) : undefined;
    if (!match || !cluster) {
      sendSqlError(res, restError(404, 'RESOURCE_DOES_NOT_EXIST', `No cluster found at ${url.pathname}`));
      return;
    }
    if (req.method !== 'POST') {
      sendSqlError(res, restError(405, 'METHOD_NOT_ALLOWED', 'Use POST.'));
      return;
    }
    const refusal = clusterRefusal(cluster);
    const handler = Object.fromEntries(
      Object.entries(service.handlerFor(cluster.id)).map(([method, fn]) => [
        method,
        refusal === undefined || method === 'CloseSession' || method === 'CloseOperation'
          ? fn
          : (_req: never) =>
              Promise.resolve(
                statusOnlyResponse(method, errorStatus(refusal, cluster.kind === 'job' ? '0A000' : '08000')),
              ),
      ]),
    );
    const processor = new TCLIService.Processor(handler);
    const output = new TBinaryProtocol(
      new TBufferedTransport(undefined, (buffer) => {
        res.writeHead(200, {
          'Content-Type': 'application/x-thrift',
          'Content-Length': String(buffer?.length ?? 0),
        });
        res.end(buffer);
      }),
    );
    try {
      TBufferedTransport.receiver((transport) => {
        processor.process(new TBinaryProtocol(transport), output);
      }, 0)(body);
    } catch (error) {
      sendSqlError(
        res,
        restError(400, 'BAD_REQUEST', `Malformed Thrift request: ${(error as Error).message}`),
      );
    }
  }

  async function handleRest(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req);
    const denied = authenticate(req);
    if (denied) {
      send(res, denied);
      return;
    }
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      try {
        const parsed: unknown = JSON.parse(raw.toString('utf8'));
        if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
      } catch {
        send(res, restError(400, 'MALFORMED_REQUEST', 'Invalid JSON given in the body of the request.'));
        return;
      }
    }
    send(res, clusters.handle(req.method ?? 'GET', url, body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (hanging) await new Promise<void>((resolve) => waiters.push(resolve));
    const url = new URL(req.url ?? '/', 'https://emulator');
    const isSql = url.pathname.startsWith('/sql/');
    if (!isSql) stats.restCalls++;
    const fault = takeFault(isSql ? 'sql' : 'rest');
    if (fault) {
      await readBody(req);
      const answer = restError(
        fault.status,
        faultCodes[fault.status] ?? 'INTERNAL_ERROR',
        `Injected fault: HTTP ${fault.status}.`,
      );
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      if (isSql) sendSqlError(res, answer, headers);
      else send(res, answer, headers);
      return;
    }
    return isSql ? handleSql(req, res, url) : handleRest(req, res, url);
  }

  const server: Server = createServer({ key: credentials.keyPem, cert: credentials.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, restError(500, 'INTERNAL_ERROR', (error as Error).message));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const firstInteractive = fixture.clusters.find((c) => c.kind === 'interactive') ?? fixture.clusters[0];

  const release = (): void => {
    const pending = waiters;
    waiters = [];
    for (const resolve of pending) resolve();
  };

  return {
    url: `https://${urlHost}:${port}`,
    host,
    port,
    caPem: credentials.caPem,
    caFile,
    workspaceId,
    token: fixture.tokens[0] ?? '',
    clusterId: firstInteractive?.id ?? '',
    httpPath: (clusterId) => `/sql/protocolv1/o/${workspaceId}/${clusterId ?? firstInteractive?.id ?? ''}`,
    setClusterState: (clusterId, state) => {
      clusters.setState(clusterId, state);
    },
    addToken: (token) => {
      tokens.add(token);
      revoked.delete(token);
    },
    revokeToken: (token) => {
      tokens.delete(token);
      revoked.add(token);
    },
    exec: (sql, params) => engine.exec(sql, params),
    stats,
    resetStats: () => {
      stats.statements.length = 0;
      stats.rowsFetched = 0;
      stats.fetchCalls = 0;
      stats.restCalls = 0;
    },
    injectFault: (fault) => {
      if (fault.times > 0) faults.push({ ...fault });
    },
    setHang: (on) => {
      hanging = on;
      if (!on) release();
    },
    stop: async () => {
      clusters.stop();
      hanging = false;
      const closed = new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      server.closeAllConnections();
      release();
      await closed;
      service.closeAll();
      engine.close();
      if (ownsDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
