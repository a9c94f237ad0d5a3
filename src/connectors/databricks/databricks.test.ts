/**
 * The Databricks connector against the workspace emulator (real TLS, the real @databricks/sql driver,
 * DuckDB underneath). One emulator for the file.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../../emulators/databricks/index.ts';
import { AppError } from '../../domain/errors.ts';
import type { ConnectorContext, FilterNode, SourceConnector } from '../connector.ts';
import { createEgressPolicy } from '../egress.ts';
import { databricks, ensureClusterRunning } from './index.ts';
import { workspaceFixture } from './test-fixture.ts';

let emu: DatabricksEmulator;
let connector: SourceConnector;

const ctx = (overrides: Partial<ConnectorContext> = {}): ConnectorContext => ({
  signal: new AbortController().signal,
  timeouts: { stageMs: 3_000, exploreMs: 5_000 },
  egress: createEgressPolicy({ allow: ['127.0.0.1', 'localhost'], deny: [], denyPrivate: true }),
  extraCaCerts: [emu.caPem],
  ...overrides,
});

const params = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  domain: `${emu.url}/`,
  clusterId: 'c-run',
  accessToken: 'tok-good',
  database: 'acme',
  ...overrides,
});

const failure = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

beforeAll(async () => {
  emu = await startDatabricksEmulator({ fixture: workspaceFixture });
  connector = databricks.create({ schemaSampleSize: 1000 });
}, 60_000);

afterAll(async () => {
  await emu.stop();
});

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
    const f = await failsAt('parse', params({ domain: emu.url.replace('https:', 'http:') }));
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

  it('a hanging host is bounded by the stage timeout', async () => {
    emu.setHang(true);
    try {
      const started = Date.now();
      const f = await failsAt('authenticate', params(), ctx({ timeouts: { stageMs: 400, exploreMs: 400 } }));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(f.message).toContain('did not complete within 400 ms');
    } finally {
      emu.setHang(false);
    }
  });
});

describe('explore', () => {
  it('lists the tables of the connection database, quoting names that need it', async () => {
    const tables = await connector.listTables(params(), ctx());
    expect(tables.map((t) => t.path)).toEqual([
      'acme.`big table`',
      'acme.customers',
      'acme.people',
      'acme.wide',
    ]);
    expect(tables[1]).toEqual({
      type: 'table',
      name: 'acme.customers',
      path: 'acme.customers',
      canPreview: true,
      canFetchSchema: true,
    });
    const inCatalog = await connector.listTables(params({ catalog: 'main', database: 'default' }), ctx());
    expect(inCatalog.map((t) => t.path)).toEqual(['default.events']);
  });

  it('describes every Spark type', async () => {
    const columns = await connector.describeTable(params(), 'acme.customers', ctx());
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    expect(columns.map((c) => [c.name, c.type])).toEqual([
      ['id', 'integer'],
      ['big_id', 'long'],
      ['name', 'string'],
      ['balance', 'decimal'],
      ['score', 'double'],
      ['ratio', 'double'],
      ['active', 'boolean'],
      ['birth_date', 'date'],
      ['updated_at', 'date-time'],
      ['age', 'integer'],
      ['tier', 'integer'],
      ['avatar', 'binary'],
      ['tags', 'string'],
      ['counters', 'string'],
      ['address', 'string'],
    ]);
    expect(byName.balance?.meta).toMatchObject({ precision: 38, scale: 9 });
    expect(byName.updated_at).toMatchObject({
      'meta:xdmType': 'date-time',
      xdm: { type: 'string', format: 'date-time' },
    });
    expect(String(byName.tags?.meta?.originalType).toLowerCase()).toBe('array<string>');
  });

  it('describes a quoted and a fully qualified path; an unknown table is 1340', async () => {
    expect((await connector.describeTable(params(), 'acme.`big table`', ctx())).map((c) => c.name)).toEqual([
      'i',
      'label',
    ]);
    expect(
      (await connector.describeTable(params(), 'main.default.events', ctx())).map((c) => c.name),
    ).toEqual(['event_id', 'kind', 'at']);
    const error = await failure(connector.describeTable(params(), 'acme.missing', ctx()));
    expect(error.code).toBe('CONNECTOR-1340-404');
    expect(error.message).toContain('acme.missing');
  });
});

describe('preview', () => {
  it('round-trips values exactly', async () => {
    const result = await connector.preview(params(), { table: 'acme.customers', count: 10 }, ctx());
    expect(result.rows).toHaveLength(3);
    const [ada, zoe, empty] = result.rows;
    expect(ada).toMatchObject({
      id: 1,
      big_id: '9007199254740993',
      name: 'Ada Lovelace',
      balance: '12345678901234567890.123456789',
      score: 3.25,
      ratio: 0.5,
      active: true,
      birth_date: '1815-12-10',
      updated_at: '2024-01-02T03:04:05.123456Z',
      age: 36,
      tier: 1,
      avatar: '3q2+7w==',
    });
    expect(JSON.parse(String(ada?.tags))).toEqual(['vip', 'early']);
    expect(JSON.parse(String(ada?.address))).toEqual({ city: 'London', zip: 1 });
    expect(zoe).toMatchObject({
      big_id: '-9223372036854775808',
      name: 'Zoë Ünicode 你好 🚀',
      balance: '-0.000000001',
      updated_at: '2024-06-30T23:59:59.999999Z',
      birth_date: '2000-02-29',
    });
    expect(
      Object.entries(empty ?? {})
        .filter(([k]) => k !== 'id')
        .every(([, v]) => v === null),
    ).toBe(true);
  });

  it('pushes the filter down with bound parameters and returns the exact rows', async () => {
    const filter: FilterNode = {
      nodeType: 'fnApply',
      fnName: 'and',
      params: [
        {
          nodeType: 'fnApply',
          fnName: '>=',
          params: [
            { nodeType: 'fieldLookup', fieldName: 'age' },
            { nodeType: 'literal', value: 20 },
          ],
        },
        {
          nodeType: 'fnApply',
          fnName: 'in',
          params: [
            { nodeType: 'fieldLookup', fieldName: 'firstname' },
            { nodeType: 'literal', value: ['Ramen', 'John'] },
          ],
        },
      ],
    };
    emu.resetStats();
    const result = await connector.preview(params(), { table: 'acme.people', count: 100, filter }, ctx());
    expect(result.rows.map((r) => [r.firstname, r.age]).sort()).toEqual([
      ['John', 20],
      ['Ramen', 44],
    ]);
    const select = emu.stats.statements.find((s) => s.startsWith('SELECT'));
    expect(select).toContain('?');
    expect(select).not.toContain('Ramen');
  });

  it('binds quotes and LIKE escapes as data', async () => {
    const like = (pattern: string): FilterNode => ({
      nodeType: 'fnApply',
      fnName: 'like',
      params: [
        { nodeType: 'fieldLookup', fieldName: 'firstname' },
        { nodeType: 'literal', value: pattern },
      ],
    });
    const names = async (filter: FilterNode) =>
      (await connector.preview(params(), { table: 'acme.people', count: 100, filter }, ctx())).rows
        .map((r) => `${String(r.firstname)}:${String(r.age)}`)
        .sort();
    expect(await names(like('Jo\\_%'))).toEqual(['Jo_hn:33']);
    expect(await names(like('Jo_n'))).toEqual(['John:19', 'John:20']);
    const quoted: FilterNode = {
      nodeType: 'fnApply',
      fnName: '=',
      params: [
        { nodeType: 'fieldLookup', fieldName: 'firstname' },
        { nodeType: 'literal', value: "O'Hara" },
      ],
    };
    expect(await names(quoted)).toEqual(["O'Hara:50"]);
    const nope: FilterNode = {
      nodeType: 'fnApply',
      fnName: '=',
      params: [
        { nodeType: 'fieldLookup', fieldName: 'nope' },
        { nodeType: 'literal', value: 1 },
      ],
    };
    const unknown = await failure(
      connector.preview(params(), { table: 'acme.people', count: 5, filter: nope }, ctx()),
    );
    expect(unknown.code).toBe('CONNECTOR-1377-400');
  });

  it('honours the caller abort signal', async () => {
    const controller = new AbortController();
    emu.setHang(true);
    try {
      const pending = connector.preview(
        params(),
        { table: 'acme.people', count: 5 },
        ctx({ signal: controller.signal }),
      );
      setTimeout(() => {
        controller.abort();
      }, 100);
      const error = await failure(pending);
      expect(error.message).toContain('cancelled');
      const outcome = await connector.test(params(), ctx({ signal: AbortSignal.abort() }));
      expect(outcome.ok).toBe(false);
      expect(outcome.failure?.message).toContain('cancelled');
    } finally {
      emu.setHang(false);
    }
  });

  it('reads only the capped rows of a 1,000,000-row table', async () => {
    emu.resetStats();
    const result = await connector.preview(params(), { table: 'acme.`big table`', count: 25 }, ctx());
    expect(result.rows).toHaveLength(25);
    expect(emu.stats.rowsFetched).toBeLessThanOrEqual(25 + 10);
  });

  it('a terminated cluster or a revoked token mid-use is 1502 with what happened', async () => {
    emu.setClusterState('c-run2', 'TERMINATED');
    const stopped = await failure(
      connector.preview(params({ clusterId: 'c-run2' }), { table: 'acme.people', count: 5 }, ctx()),
    );
    expect(stopped.code).toBe('CONNECTOR-1502-502');
    expect(stopped.message).toContain('is not running');
    emu.setClusterState('c-run2', 'RUNNING');

    emu.addToken('tok-revoke');
    await connector.listTables(params({ accessToken: 'tok-revoke' }), ctx());
    emu.revokeToken('tok-revoke');
    const revoked = await failure(connector.listTables(params({ accessToken: 'tok-revoke' }), ctx()));
    expect(revoked.code).toBe('CONNECTOR-1502-502');
    expect(revoked.message).toContain('rejected the access token');
    expect(revoked.message).not.toContain('tok-revoke');
  });

  it('a hanging cluster times out with 1504', async () => {
    emu.setHang(true);
    try {
      const started = Date.now();
      const error = await failure(
        connector.preview(
          params(),
          { table: 'acme.people', count: 5 },
          ctx({ timeouts: { stageMs: 400, exploreMs: 400 } }),
        ),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error.code).toBe('CONNECTOR-1504-504');
    } finally {
      emu.setHang(false);
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
