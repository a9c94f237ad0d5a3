/**
 * Every route that addresses an instance entity answers 404 to any other tenant — another sandbox of the
 * same org, and another org — and no list shows another tenant's entities. Tenant A gets one of every
 * entity (connection, source/target connection, dataset with a committed batch, mapping set, flow, run).
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
const ids: Record<string, string> = {};
const etags: Record<string, string> = {};
let otherSandbox: Record<string, string>;
let otherOrg: Record<string, string>;

async function create(path: string, body: unknown): Promise<{ id: string; etag: string }> {
  const response = await t.request('POST', path, { body });
  expect(response.statusCode, `${path}: ${response.body}`).toBe(201);
  const parsed = response.json() as { id: string; etag: string } | string[];
  return Array.isArray(parsed) ? { id: String(parsed[0]).replace('@/dataSets/', ''), etag: '' } : parsed;
}

beforeAll(async () => {
  t = await startTestSluice({ env: { SLUICE_RUN_SAFETY_LAG_MS: '0' } });
  const table = uniqueTableName('tenancy');
  const client = TableClient.fromConnectionString(azuriteConnectionString(), table, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  await client.createEntity({
    partitionKey: 'p',
    rowKey: '1',
    name: 'Ada',
    updated: new Date('2026-01-01T00:00:00Z'),
  });

  ({ id: ids['connection']!, etag: etags['connection']! } = await create('/connections', {
    name: 'tenant A connection',
    auth: {
      specName: 'Connection String Based Authentication',
      params: { connectionString: azuriteConnectionString() },
    },
    connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
  }));
  const columns = [
    { name: 'name', type: 'string' },
    { name: 'updated', type: 'date-time' },
  ];
  ({ id: ids['source']!, etag: etags['source']! } = await create('/sourceConnections', {
    name: 'A source',
    baseConnectionId: ids['connection'],
    data: { format: 'tabular' },
    params: { tableName: table, columns },
    connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
  }));
  ids['dataset'] = (
    await create('/data/foundation/catalog/dataSets', { name: 'a-dataset', schema: { fields: columns } })
  ).id;
  ({ id: ids['target']!, etag: etags['target']! } = await create('/targetConnections', {
    name: 'A target',
    params: { dataSetId: ids['dataset'] },
    connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c', version: '1.0' },
  }));
  ids['mappingSet'] = (
    await create('/data/foundation/conversion/mappingSets', {
      xdmSchema: ids['dataset'],
      dataSetId: ids['dataset'],
      mappings: columns.map((column) => ({ sourceAttribute: column.name, destinationXdmPath: column.name })),
    })
  ).id;
  ({ id: ids['flow']!, etag: etags['flow']! } = await create('/flows', {
    name: 'A flow',
    flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
    sourceConnectionIds: [ids['source']],
    targetConnectionIds: [ids['target']],
    transformations: [
      { name: 'Copy', params: { deltaColumn: { name: 'updated' } } },
      { name: 'Mapping', params: { mappingId: ids['mappingSet'], mappingVersion: 0 } },
    ],
    scheduleParams: {
      startTime: String(Math.floor(Date.now() / 1000) + 86_400),
      frequency: 'hour',
      interval: '1',
    },
  }));
  const tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
  ids['run'] = (await t.sluice.runs.runNow(tenant, ids['flow']!)).id;
  await t.sluice.worker.runOnce();
  const run = (await t.request('GET', `/runs/${ids['run']}`)).json() as {
    items: { activities: { targetInfo?: { reference?: { ids: string[] } }[] }[] }[];
  };
  ids['batch'] = run.items[0]!.activities[1]!.targetInfo![0]!.reference!.ids[0]!;

  await t.sluice.identity.createSandbox(t.credentials.org.id, 'dev');
  otherSandbox = { 'x-sandbox-name': 'dev' };
  const org = await t.sluice.identity.createOrg('Org B');
  otherOrg = {
    authorization: `Bearer ${org.accessToken}`,
    'x-api-key': org.apiKey,
    'x-gw-ims-org-id': org.org.id,
    'x-sandbox-name': 'prod',
  };
});
afterAll(async () => {
  await t.close();
});

type Method = 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT';
const rename = [{ op: 'replace', path: '/name', value: 'stolen' }];
const routes = (): [Method, string, unknown?][] => [
  ['GET', `/connections/${ids['connection']}`],
  ['PATCH', `/connections/${ids['connection']}`, rename],
  ['GET', `/connections/${ids['connection']}/test`],
  ['GET', `/connections/${ids['connection']}/explore?objectType=root`],
  ['POST', `/connections/${ids['connection']}/action?op=publish`],
  ['DELETE', `/connections/${ids['connection']}`],
  ['GET', `/sourceConnections/${ids['source']}`],
  ['PATCH', `/sourceConnections/${ids['source']}`, rename],
  ['POST', `/sourceConnections/${ids['source']}/action?op=publish`],
  ['DELETE', `/sourceConnections/${ids['source']}`],
  ['GET', `/targetConnections/${ids['target']}`],
  ['PATCH', `/targetConnections/${ids['target']}`, rename],
  ['POST', `/targetConnections/${ids['target']}/action?op=publish`],
  ['DELETE', `/targetConnections/${ids['target']}`],
  ['GET', `/flows/${ids['flow']}`],
  ['PATCH', `/flows/${ids['flow']}`, rename],
  ['POST', `/flows/${ids['flow']}/action?op=disable`],
  ['DELETE', `/flows/${ids['flow']}`],
  ['GET', `/runs/${ids['run']}`],
  ['POST', `/runs/${ids['run']}/action?op=cancel`],
  ['GET', `/data/foundation/catalog/dataSets/${ids['dataset']}`],
  ['GET', `/data/foundation/catalog/dataSets/${ids['dataset']}/batches`],
  ['GET', `/data/foundation/catalog/dataSets/${ids['dataset']}/preview`],
  ['DELETE', `/data/foundation/catalog/dataSets/${ids['dataset']}`],
  ['GET', `/data/foundation/catalog/batches/${ids['batch']}`],
  ['GET', `/data/foundation/conversion/mappingSets/${ids['mappingSet']}`],
  [
    'PUT',
    `/data/foundation/conversion/mappingSets/${ids['mappingSet']}`,
    { xdmSchema: 'x', mappings: [{ sourceAttribute: 'name', destinationXdmPath: 'name' }] },
  ],
];

const lists = [
  '/connections',
  '/sourceConnections',
  '/targetConnections',
  '/flows',
  `/runs?property=flowId==x`,
  '/runs',
  '/data/foundation/catalog/dataSets',
  '/data/foundation/conversion/mappingSets',
];

describe.each([
  ['another sandbox of the same org', () => otherSandbox],
  ['another org', () => otherOrg],
])('from %s', (_name, headersOf) => {
  it('every entity route answers 404', async () => {
    expect(routes().length).toBeGreaterThanOrEqual(27);
    for (const [method, path, body] of routes()) {
      const response = await t.app.inject({
        method,
        url: path.startsWith('/data/') ? path : `/data/foundation/flowservice${path}`,
        headers: {
          ...t.headers(headersOf()),
          'if-match': etags['flow'] ?? '"x"',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
      });
      expect(response.statusCode, `${method} ${path}: ${response.body}`).toBe(404);
      expect(response.body, `${method} ${path}`).toContain('1439-404');
    }
  });

  it('lists nothing of tenant A', async () => {
    for (const path of lists) {
      const response = await t.request('GET', path, { headers: headersOf() });
      expect(response.statusCode, `${path}: ${response.body}`).toBe(200);
      expect(response.body, path).not.toMatch(new RegExp(Object.values(ids).join('|')));
    }
  });
});

it('leaves tenant A untouched after all those attempts', async () => {
  for (const [kind, path] of [
    ['connection', `/connections/${ids['connection']}`],
    ['flow', `/flows/${ids['flow']}`],
    ['source', `/sourceConnections/${ids['source']}`],
  ] as const) {
    const response = await t.request('GET', path);
    expect(response.statusCode, path).toBe(200);
    expect((response.json() as { items: { etag: string }[] }).items[0]!.etag, kind).toBe(etags[kind]);
  }
  expect((await t.request('GET', `/data/foundation/catalog/dataSets/${ids['dataset']}`)).statusCode).toBe(
    200,
  );
  expect((await t.request('GET', `/runs/${ids['run']}`)).statusCode).toBe(200);
});
