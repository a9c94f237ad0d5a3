/**
 * The staged connection test and ensureClusterRunning against the workspace emulator (real TLS, the real
 * @databricks/sql driver, DuckDB underneath).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ConnectorContext } from '../connector.ts';
import { createEgressPolicy } from '../egress.ts';
import { ensureClusterRunning } from './index.ts';
import { failure, useEmulator } from './test-fixture.ts';

const env = useEmulator();
const { connector, ctx, params } = env;

describe('test(): stages', () => {
  it('passes every stage for a good connection', async () => {
    const outcome = await connector.test(params(), ctx());
    expect(outcome.failure).toBeUndefined();
    expect(outcome.ok).toBe(true);
    expect(outcome.stages.map((s) => [s.name, s.status])).toEqual([
      ['parse', 'passed'],
      ['reach', 'passed'],
      ['authenticate', 'passed'],
      ['cluster', 'passed'],
      ['database', 'passed'],
    ]);
  });

  it('passes with a catalog holding the database', async () => {
    const outcome = await connector.test(params({ catalog: 'main', database: 'default' }), ctx());
    expect(outcome.failure).toBeUndefined();
  });

  const failsAt = async (stage: string, p: Record<string, unknown>, c: ConnectorContext = ctx()) => {
    const outcome = await connector.test(p, c);
    expect(outcome.ok).toBe(false);
    expect(outcome.failure?.stage).toBe(stage);
    const index = outcome.stages.findIndex((s) => s.name === stage);
    expect(outcome.stages[index]?.status).toBe('failed');
    expect(outcome.stages.slice(index + 1).every((s) => s.status === 'skipped')).toBe(true);
    expect(JSON.stringify(outcome)).not.toContain(String(p.accessToken));
    return outcome.failure!;
  };

  it('parse: refuses an http domain', async () => {
    const f = await failsAt('parse', params({ domain: env.emu.url.replace('https:', 'http:') }));
    expect(f.code).toBe('CONNECTOR-1308-400');
    expect(f.message).toMatch(/must use https/);
  });

  it('authenticate: a wrong token is rejected', async () => {
    const f = await failsAt('authenticate', params({ accessToken: 'dapi-wrong-secret' }));
    expect(f.code).toBe('CONNECTOR-1308-400');
    expect(f.message).toMatch(/rejected the access token \(HTTP 40[13]\)/);
  });

  it('cluster: unknown id', async () => {
    const f = await failsAt('cluster', params({ clusterId: 'c-nope' }));
    expect(f.message).toMatch(/the cluster c-nope does not exist/i);
  });

  it('cluster: terminated cluster must be started by the user, and is not started', async () => {
    const f = await failsAt('cluster', params({ clusterId: 'c-stop' }));
    expect(f.message).toContain(
      'is TERMINATED; the cluster must be running to create the connection; start it',
    );
    expect(f.message).toContain('POST /api/2.0/clusters/start');
    const again = await connector.test(params({ clusterId: 'c-stop' }), ctx());
    expect(again.failure?.message).toContain('TERMINATED');
  });

  it('cluster: a job cluster is refused', async () => {
    const f = await failsAt('cluster', params({ clusterId: 'c-job' }));
    expect(f.message).toMatch(/job cluster.*use an all-purpose cluster/i);
  });

  it('database: unknown database and unknown catalog', async () => {
    const db = await failsAt('database', params({ database: 'nope' }));
    expect(db.message).toContain('The database "nope" does not exist in the default catalog');
    const cat = await failsAt('database', params({ catalog: 'nocat' }));
    expect(cat.message).toContain('The catalog "nocat" does not exist');
    const wrongPlace = await failsAt('database', params({ catalog: 'main', database: 'acme' }));
    expect(wrongPlace.message).toContain('catalog "main"');
  });

  it('reach: a closed port is reported quickly', async () => {
    const port = await closedPort();
    const started = Date.now();
    const f = await failsAt('reach', params({ domain: `https://127.0.0.1:${port}` }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(f.message).toMatch(/the connection was refused/);
  });

  it('reach: an untrusted certificate says which setting to change', async () => {
    const f = await failsAt('reach', params(), ctx({ extraCaCerts: [] }));
    expect(f.message).toContain('is not trusted');
    expect(f.message).toContain('add its CA to SLUICE_EXTRA_CA_CERTS');
  });

  it('reach: the egress policy refuses private hosts with 1309', async () => {
    const strict = createEgressPolicy({ allow: [], deny: [], denyPrivate: true });
    const f = await failsAt('reach', params(), ctx({ egress: strict }));
    expect(f.code).toBe('CONNECTOR-1309-400');
    expect(f.message).toContain('SLUICE_EGRESS_ALLOW');
  });

  it('authenticate: a busy workspace (429) says to try later', async () => {
    env.emu.injectFault({ target: 'rest', status: 429, times: 1, retryAfterSeconds: 1 });
    const f = await failsAt('authenticate', params());
    expect(f.message).toContain('busy or unavailable (HTTP 429)');
  });

  it('a hanging host is bounded by the stage timeout', async () => {
    env.emu.setHang(true);
    try {
      const started = Date.now();
      const f = await failsAt('authenticate', params(), ctx({ timeouts: { stageMs: 400, exploreMs: 400 } }));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(f.message).toContain('did not complete within 400 ms');
    } finally {
      env.emu.setHang(false);
    }
  });
});

describe('ensureClusterRunning', () => {
  it('starts a terminated cluster and waits until RUNNING', async () => {
    const info = await ensureClusterRunning(params({ clusterId: 'c-stop2' }), ctx(), {
      startIfTerminated: true,
      waitMs: 10_000,
    });
    expect(info.state).toBe('RUNNING');
    const outcome = await connector.test(params({ clusterId: 'c-stop2' }), ctx());
    expect(outcome.ok).toBe(true);
  });

  it('refuses to start when not allowed, and refuses job clusters', async () => {
    const stopped = await failure(
      ensureClusterRunning(params({ clusterId: 'c-stop' }), ctx(), {
        startIfTerminated: false,
        waitMs: 1_000,
      }),
    );
    expect(stopped.message).toContain('TERMINATED');
    const job = await failure(
      ensureClusterRunning(params({ clusterId: 'c-job' }), ctx(), { startIfTerminated: true, waitMs: 1_000 }),
    );
    expect(job.code).toBe('CONNECTOR-1308-400');
  });
});

const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address !== null) resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
