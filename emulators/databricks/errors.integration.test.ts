import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from './index.ts';
import { connectDriver, newClient, driverOptions, query } from './test-driver.ts';
import { rest } from './test-rest.ts';

let emulator: DatabricksEmulator;

beforeAll(async () => {
  emulator = await startDatabricksEmulator();
});

afterAll(async () => {
  await emulator.stop();
});

async function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a failure');
}

describe('connection errors as the driver surfaces them', () => {
  it('bad token: HTTP 401 → THTTPException with statusCode 401', async () => {
    const error = await failure(connectDriver(emulator, { token: 'dapi-not-a-token' }));
    expect(error.message).toBe('Received a response with a bad HTTP status code: 401');
    expect(error['statusCode']).toBe(401);
  });

  it('revoked token: HTTP 403', async () => {
    emulator.addToken('dapi-short-lived');
    const ok = await connectDriver(emulator, { token: 'dapi-short-lived' });
    await ok.close();
    emulator.revokeToken('dapi-short-lived');
    const error = await failure(connectDriver(emulator, { token: 'dapi-short-lived' }));
    expect(error['statusCode']).toBe(403);
  });

  it('unknown cluster or workspace: HTTP 404', async () => {
    expect(
      (await failure(connectDriver(emulator, { path: emulator.httpPath('no-such-cluster') })))['statusCode'],
    ).toBe(404);
    const wrongOrg = '/sql/protocolv1/o/999/0123-456789-running';
    expect((await failure(connectDriver(emulator, { path: wrongOrg })))['statusCode']).toBe(404);
  });

  it('terminated cluster: StatusError saying the cluster is not running', async () => {
    const error = await failure(connectDriver(emulator, { path: emulator.httpPath('0123-456789-stopped') }));
    expect(error.message).toMatch(/^Cluster 0123-456789-stopped is not running \(state TERMINATED\)/);
  });

  it('job cluster: StatusError saying interactive SQL is not allowed', async () => {
    const error = await failure(connectDriver(emulator, { path: emulator.httpPath('0123-456789-job') }));
    expect(error.message).toMatch(/job cluster: interactive SQL .* not allowed on job clusters/);
  });

  it('a cluster stopping under an open session fails the next call, and starting it again works', async ({
    onTestFinished,
  }) => {
    onTestFinished(() => {
      emulator.setClusterState(emulator.clusterId, 'RUNNING');
    });
    const conn = await connectDriver(emulator);
    emulator.setClusterState(emulator.clusterId, 'TERMINATED');
    const stopped = await failure(query(conn.session, 'SELECT 1'));
    expect(stopped.message).toMatch(/is not running \(state TERMINATED\)/);
    emulator.setClusterState(emulator.clusterId, 'PENDING');
    expect((await failure(connectDriver(emulator))).message).toMatch(/is starting \(state PENDING\)/);
    emulator.setClusterState(emulator.clusterId, 'RUNNING');
    const fresh = await connectDriver(emulator);
    expect(await query(fresh.session, 'SELECT 1 AS x')).toEqual([{ x: 1 }]);
    await fresh.close();
    await conn.client.close();
  });

  it('clusters/start makes a terminated cluster usable for SQL', async ({ onTestFinished }) => {
    // Leave the fixture's stopped cluster stopped for the tests that expect it, in any order.
    onTestFinished(() => {
      emulator.setClusterState('0123-456789-stopped', 'TERMINATED');
    });
    const path = emulator.httpPath('0123-456789-stopped');
    await rest(emulator, 'POST', '/api/2.0/clusters/start', { body: { cluster_id: '0123-456789-stopped' } });
    expect((await failure(connectDriver(emulator, { path }))).message).toMatch(/state PENDING/);
    for (let i = 0; i < 100; i++) {
      const res = await rest(emulator, 'GET', '/api/2.0/clusters/get?cluster_id=0123-456789-stopped');
      if (res.body['state'] === 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const conn = await connectDriver(emulator, { path });
    expect(await query(conn.session, 'SELECT 2 AS x')).toEqual([{ x: 2 }]);
    await conn.close();
  });
});

describe('SQL errors as the driver surfaces them', () => {
  it('syntax error, unknown table and unknown column fail with Spark error classes and SQLSTATEs', async () => {
    const conn = await connectDriver(emulator);
    try {
      const syntax = await failure(query(conn.session, 'SELEC 1'));
      expect(syntax.constructor.name).toBe('OperationStateError');
      expect(syntax.message).toMatch(/^\[PARSE_SYNTAX_ERROR\] Syntax error at or near 'SELEC'/);
      expect((syntax['response'] as { sqlState: string }).sqlState).toBe('42601');

      const table = await failure(query(conn.session, 'SELECT * FROM acme.no_such_table'));
      expect(table.message).toMatch(
        /^\[TABLE_OR_VIEW_NOT_FOUND\] The table or view `acme`.`no_such_table` cannot be found/,
      );
      expect((table['response'] as { sqlState: string }).sqlState).toBe('42P01');

      const column = await failure(query(conn.session, 'SELECT nope FROM acme.customers'));
      expect(column.message).toMatch(/^\[UNRESOLVED_COLUMN/);

      const describe = await failure(query(conn.session, 'DESCRIBE TABLE acme.missing'));
      expect(describe.message).toMatch(/^\[TABLE_OR_VIEW_NOT_FOUND\]/);

      const unbound = await failure(query(conn.session, 'SELECT * FROM acme.customers WHERE id = :id'));
      expect(unbound.message).toMatch(/^\[UNBOUND_SQL_PARAMETER\]/);

      // The session survives its failed statements.
      expect(await query(conn.session, 'SELECT 3 AS x')).toEqual([{ x: 3 }]);
    } finally {
      await conn.close();
    }
  });
});

describe('fault injection and hangs', () => {
  it('an injected 503 on the SQL endpoint is retried by the driver for retryable RPCs', async () => {
    const conn = await connectDriver(emulator, {
      retryDelayMin: 10,
      retryDelayMax: 20,
      retryMaxAttempts: 5,
    });
    try {
      emulator.injectFault({ target: 'sql', status: 503, times: 2, retryAfterSeconds: 0 });
      const catalogs = await conn.session.getCatalogs();
      expect(await catalogs.fetchAll()).toHaveLength(2);
      await catalogs.close();
      emulator.injectFault({ target: 'any', status: 429, times: 1 });
      expect((await failure(query(conn.session, 'SELECT 1')))['statusCode']).toBe(429);
    } finally {
      await conn.close();
    }
  });

  it('a hung endpoint makes the driver time out; releasing it serves requests again', async () => {
    emulator.setHang(true);
    const client = newClient();
    try {
      await client.connect(driverOptions(emulator, { socketTimeout: 300 }));
      const error = await failure(client.openSession());
      expect(error.message).toMatch(/timed out|timeout/i);
    } finally {
      emulator.setHang(false);
      await client.close();
    }
    const conn = await connectDriver(emulator);
    expect(await query(conn.session, 'SELECT 4 AS x')).toEqual([{ x: 4 }]);
    await conn.close();
  }, 10_000);
});
