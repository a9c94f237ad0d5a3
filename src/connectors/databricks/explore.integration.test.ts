/**
 * listTables, describeTable and preview against the workspace emulator (real TLS, the real
 * @databricks/sql driver, DuckDB underneath).
 */
import { describe, expect, it } from 'vitest';
import type { FilterNode } from '../connector.ts';
import { failure, useEmulator } from './test-fixture.ts';

const env = useEmulator();
const { connector, ctx, params } = env;

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
    env.emu.resetStats();
    const result = await connector.preview(params(), { table: 'acme.people', count: 100, filter }, ctx());
    expect(result.rows.map((r) => [r.firstname, r.age]).sort()).toEqual([
      ['John', 20],
      ['Ramen', 44],
    ]);
    const select = env.emu.stats.statements.find((s) => s.startsWith('SELECT'));
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
    env.emu.setHang(true);
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
      env.emu.setHang(false);
    }
  });

  it('reads only the capped rows of a 1,000,000-row table', async () => {
    env.emu.resetStats();
    const result = await connector.preview(params(), { table: 'acme.`big table`', count: 25 }, ctx());
    expect(result.rows).toHaveLength(25);
    expect(env.emu.stats.rowsFetched).toBeLessThanOrEqual(25 + 10);
  });

  it('a terminated cluster or a revoked token mid-use is 1502 with what happened', async () => {
    env.emu.setClusterState('c-run2', 'TERMINATED');
    const stopped = await failure(
      connector.preview(params({ clusterId: 'c-run2' }), { table: 'acme.people', count: 5 }, ctx()),
    );
    expect(stopped.code).toBe('CONNECTOR-1502-502');
    expect(stopped.message).toContain('is not running');
    env.emu.setClusterState('c-run2', 'RUNNING');

    env.emu.addToken('tok-revoke');
    await connector.listTables(params({ accessToken: 'tok-revoke' }), ctx());
    env.emu.revokeToken('tok-revoke');
    const revoked = await failure(connector.listTables(params({ accessToken: 'tok-revoke' }), ctx()));
    expect(revoked.code).toBe('CONNECTOR-1502-502');
    expect(revoked.message).toContain('rejected the access token');
    expect(revoked.message).not.toContain('tok-revoke');
  });

  it('a hanging cluster times out with 1504', async () => {
    env.emu.setHang(true);
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
      env.emu.setHang(false);
    }
  });
});
