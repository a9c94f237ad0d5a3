/**
 * The GET and list bodies of every entity type are exactly the service's output: the 200 bodies are
 * serialised with JSON.stringify (app.ts), not through a schema that could drop or coerce a field, so
 * every property the service returns (free-form `params`, `auth.params`, `metrics`…) reaches the client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseListQuery } from '../src/domain/listing.ts';
import type { Tenant } from '../src/domain/tenancy.ts';
import { newRun } from '../src/flows/scheduler.ts';
import { ENTITY_LIST_RULES } from '../src/services/listing.ts';
import { createRepositories } from '../src/store/repositories.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const DATABRICKS_SPEC = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const DATA_LAKE_SPEC = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
const FLOW_SPEC = '14518937-270c-4525-bdec-c2ba7cce3860';

let t: TestSluice;
let tenant: Tenant;
const ids: Record<string, string> = {};

async function post(path: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await t.request('POST', path, { body });
  expect(response.statusCode, `${path}: ${response.body}`).toBeLessThan(300);
  return JSON.parse(response.body) as Record<string, unknown>;
}

/** What the client receives, as JSON, next to the service's value made JSON (undefined drops out). */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

beforeAll(async () => {
  t = await startTestSluice();
  tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
  const connection = await post(`/connections?mode=draft`, {
    name: 'bodies',
    description: 'every field, secrets masked',
    auth: {
      specName: 'Access Token Authentication',
      params: {
        domain: 'https://adb-1234567890123456.7.azuredatabricks.net',
        clusterId: '0123-456789-abcdefgh',
        accessToken: 'dapi-not-a-real-token',
        database: 'sales',
      },
    },
    connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
  });
  ids.connections = String(connection.id);
  const source = await post(`/sourceConnections?mode=draft`, {
    name: 'bodies source',
    baseConnectionId: ids.connections,
    data: { format: 'tabular' },
    params: {
      tableName: 'orders',
      columns: [
        { name: 'id', type: 'long' },
        { name: 'at', type: 'string', 'meta:xdmType': 'date-time' },
      ],
    },
    connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
  });
  ids.sourceConnections = String(source.id);
  const dataset = (await post('/data/foundation/catalog/dataSets', {
    name: 'bodies landing',
    schema: { fields: [{ name: 'id', type: 'long' }] },
  })) as unknown as string[];
  const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
  const target = await post(`/targetConnections`, {
    name: 'bodies target',
    data: { format: 'parquet_xdm' },
    params: { dataSetId },
    connectionSpec: { id: DATA_LAKE_SPEC, version: '1.0' },
  });
  ids.targetConnections = String(target.id);
  const flow = await post(`/flows?mode=draft`, {
    name: 'bodies flow',
    flowSpec: { id: FLOW_SPEC, version: '1.0' },
    sourceConnectionIds: [ids.sourceConnections],
    targetConnectionIds: [ids.targetConnections],
    transformations: [{ name: 'Copy', params: { deltaColumn: { name: 'at' } } }],
    scheduleParams: {
      startTime: String(Math.floor(Date.now() / 1000) + 86_400),
      frequency: 'hour',
      interval: '1',
    },
  });
  ids.flows = String(flow.id);
  const stored = await t.sluice.flows.load(tenant, ids.flows);
  const run = newRun(stored, { start: 1_000, end: 2_000 }, 1_500, 1_500, 'scheduled');
  await createRepositories(t.sluice.store.db).runs.insertQueued(run);
  ids.runs = run.id;
});

afterAll(async () => {
  await t.close();
});

const TABLES = {
  connections: 'connections',
  sourceConnections: 'source_connections',
  targetConnections: 'target_connections',
  flows: 'flows',
  runs: undefined,
} as const;

const services = () => ({
  connections: t.sluice.connections,
  sourceConnections: t.sluice.sourceConnections,
  targetConnections: t.sluice.targetConnections,
  flows: t.sluice.flows,
  runs: t.sluice.runs,
});

describe('entity bodies are the service output, unchanged', () => {
  for (const collection of [
    'connections',
    'sourceConnections',
    'targetConnections',
    'flows',
    'runs',
  ] as const) {
    it(`GET /${collection}/{id} and GET /${collection} return every field the service returns`, async () => {
      const id = ids[collection] ?? '';
      const service = services()[collection];
      const expected = await service.get(tenant, id);
      expect(Object.keys(expected as object).length).toBeGreaterThan(5);

      const one = await t.request('GET', `/${collection}/${id}`);
      expect(one.statusCode, one.body).toBe(200);
      expect(JSON.parse(one.body)).toEqual({ items: [asJson(expected)] });
      expect(one.body).toBe(JSON.stringify({ items: [expected] }));
      expect(one.headers['content-type']).toBe('application/json; charset=utf-8');
      const table = TABLES[collection];
      if (table !== undefined) {
        // The entity tables store the item beside the body (migration 010): the text GET sends.
        const row = await t.sluice.store.db
          .selectFrom(table)
          .select(['view', 'view_key'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        expect(row.view).toBe(JSON.stringify(expected));
        expect(row.view_key).toMatch(new RegExp(`^${collection}/\\d+/`));
      }

      const list = await t.request('GET', `/${collection}?limit=10`);
      expect(list.statusCode, list.body).toBe(200);
      const page = await service.list(
        tenant,
        parseListQuery(
          { limit: '10' },
          { ...ENTITY_LIST_RULES, filterFields: [], defaultLimit: 10, maxLimit: 10 },
        ),
      );
      if (page.kind !== 'page') throw new Error('expected a page');
      expect(JSON.parse(list.body)).toEqual({ items: asJson(page.items), _links: {} });
      expect(list.body).toBe(JSON.stringify({ items: page.items, _links: {} }));
      expect((JSON.parse(list.body) as { items: unknown[] }).items).toContainEqual(asJson(expected));
    });
  }

  it('keeps the problem documents of errors in their shape (a 404 on the same routes)', async () => {
    const missing = await t.request('GET', `/connections/00000000-0000-4000-8000-000000000000`);
    expect(missing.statusCode).toBe(404);
    expect(Object.keys(JSON.parse(missing.body) as object).sort()).toEqual(
      ['errorDetails', 'errorMessage', 'report', 'status', 'title', 'type'].sort(),
    );
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
