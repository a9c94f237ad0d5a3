/**
 * The reference's §6 walk-through (explore → source connection → dataset → target connection → mapping
 * set → flow spec → flow) against Azurite and the Databricks emulator, and each deliberately wrong
 * variant of each step refused with its own code.
 */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import { azuriteConnectionString, uniqueTableName } from './support/azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const DATA_LAKE = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
const CRM_TO_AEP = '14518937-270c-4525-bdec-c2ba7cce3860';

let t: TestSluice;
let emulator: DatabricksEmulator;
const atsTable = uniqueTableName('events');

/** The base connection of each source, made once for the file in beforeAll. */
interface Source {
  connectionId: string;
  table: string;
  deltaColumn: string;
}
const sources: Record<string, Source> = {};
type Column = { name: string; type: string; 'meta:xdmType'?: string };

/** Memoises a prerequisite, so that each step can run alone (`-t`) or after the others. */
const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
};

const json = async (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => {
  const response = await t.request(method, path, {
    ...(body === undefined ? {} : { body }),
    ...(headers ? { headers } : {}),
  });
  return {
    status: response.statusCode,
    body: response.body ? (JSON.parse(response.body) as any) : undefined,
    raw: response.body,
  };
};

const expectCode = (result: { status: number; raw: string }, status: number, code: string) => {
  expect(result.status, result.raw).toBe(status);
  expect(result.raw, result.raw).toContain(code);
};

beforeAll(async () => {
  emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      catalogs: [
        {
          name: 'hive_metastore',
          databases: [
            {
              name: 'crm',
              tables: [
                {
                  name: 'customers',
                  columns: [
                    { name: 'id', type: 'BIGINT' },
                    { name: 'firstname', type: 'STRING' },
                    { name: 'age', type: 'INT' },
                    { name: 'updated_at', type: 'TIMESTAMP' },
                  ],
                  rows: [[1, 'Ada', 36, new Date('2026-01-01T00:00:00Z')]],
                },
              ],
            },
          ],
        },
      ],
    },
  });
  t = await startTestSluice({ env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile } });
  const client = TableClient.fromConnectionString(azuriteConnectionString(), atsTable, {
    allowInsecureConnection: true,
  });
  await client.createTable();
  await client.createEntity({
    partitionKey: 'p',
    rowKey: '1',
    kind: 'click',
    amount: { value: '3', type: 'Int32' },
  });

  const dbx = await json('POST', '/connections', {
    name: 'Databricks',
    auth: {
      specName: 'Access Token Authentication',
      params: {
        domain: emulator.url,
        clusterId: emulator.clusterId,
        accessToken: emulator.token,
        database: 'crm',
      },
    },
    connectionSpec: { id: DATABRICKS, version: '1.0' },
  });
  expect(dbx.status, dbx.raw).toBe(201);
  sources['databricks'] = { connectionId: dbx.body.id, table: 'crm.customers', deltaColumn: 'updated_at' };
  const ats = await json('POST', '/connections', {
    name: 'ATS',
    auth: {
      specName: 'Connection String Based Authentication',
      params: { connectionString: azuriteConnectionString() },
    },
    connectionSpec: { id: ATS, version: '1.0' },
  });
  expect(ats.status, ats.raw).toBe(201);
  sources['azure-table-storage'] = { connectionId: ats.body.id, table: atsTable, deltaColumn: 'Timestamp' };
});

afterAll(async () => {
  await t.close();
  await emulator.stop();
});

const specOf = (name: string) => (name === 'databricks' ? DATABRICKS : ATS);

describe.each(['databricks', 'azure-table-storage'])('dataflow setup: %s', (name) => {
  const s = () => sources[name]!;

  // Each step of the walk-through, as a function a test asserts on; later steps take the earlier
  // ones' results from the memoised prerequisites below, never from another test.
  const explore = async (): Promise<Column[]> => {
    const explored = await json(
      'GET',
      `/connections/${s().connectionId}/explore?objectType=table&object=${encodeURIComponent(s().table)}`,
    );
    expect(explored.status, explored.raw).toBe(200);
    return explored.body.schema.columns.map((column: Column & { xdm: unknown }) => column);
  };
  const createSource = async (columns: Column[]): Promise<string> => {
    const created = await json('POST', '/sourceConnections', {
      name: `${name} source`,
      baseConnectionId: s().connectionId,
      data: { format: 'tabular' },
      params: { tableName: s().table, columns },
      connectionSpec: { id: specOf(name), version: '1.0' },
    });
    expect(created.status, created.raw).toBe(201);
    return created.body.id;
  };
  const createTarget = async (columns: Column[]) => {
    const fields = columns.map((column) => ({ name: column.name, type: column.type }));
    const dataset = await json('POST', '/data/foundation/catalog/dataSets', {
      name: `${name}-landing-${randomUUID().slice(0, 8)}`,
      schema: { fields },
    });
    expect(dataset.status, dataset.raw).toBe(201);
    const dataSetId = String(dataset.body[0]).replace('@/dataSets/', '');
    const target = await json('POST', '/targetConnections', {
      name: `${name} target`,
      data: {
        format: 'parquet_xdm',
        schema: {
          id: 'https://ns.adobe.com/sluice/schemas/x',
          version: 'application/vnd.adobe.xed-full+json;version=1',
        },
      },
      params: { dataSetId },
      connectionSpec: { id: DATA_LAKE, version: '1.0' },
    });
    expect(target.status, target.raw).toBe(201);
    return { dataSetId, targetConnectionId: target.body.id as string };
  };
  const createMapping = async (dataSetId: string, columns: Column[]): Promise<string> => {
    const mapping = await json('POST', '/data/foundation/conversion/mappingSets', {
      version: 0,
      xdmSchema: 'https://ns.adobe.com/sluice/schemas/x',
      xdmVersion: '1.0',
      id: null,
      dataSetId,
      mappings: columns.map((column) => ({
        sourceType: 'ATTRIBUTE',
        sourceAttribute: column.name,
        destinationXdmPath: column.name,
      })),
    });
    expect(mapping.status, mapping.raw).toBe(201);
    return mapping.body.id;
  };

  const columns = once(explore);
  const sourceConnection = once(async () => createSource(await columns()));
  const target = once(async () => createTarget(await columns()));
  const mappingSet = once(async () => createMapping((await target()).dataSetId, await columns()));
  /** Everything a flow needs, made once for this source. */
  const prerequisites = once(async () => ({
    columns: await columns(),
    sourceConnectionId: await sourceConnection(),
    ...(await target()),
    mappingId: await mappingSet(),
  }));
  type Prerequisites = Awaited<ReturnType<typeof prerequisites>>;

  const flowBody = (p: Prerequisites, overrides: Record<string, unknown> = {}) => ({
    name: `${name} dataflow`,
    flowSpec: { id: CRM_TO_AEP, version: '1.0' },
    sourceConnectionIds: [p.sourceConnectionId],
    targetConnectionIds: [p.targetConnectionId],
    transformations: [
      {
        name: 'Copy',
        params: { deltaColumn: { name: s().deltaColumn, dateFormat: 'YYYY-MM-DD', timezone: 'UTC' } },
      },
      { name: 'Mapping', params: { mappingId: p.mappingId, mappingVersion: 0 } },
    ],
    scheduleParams: { startTime: '1612310466', frequency: 'minute', interval: '15', backfill: 'true' },
    options: { partialIngestionPercent: 10, errorDiagnosticsEnabled: true },
    ...overrides,
  });

  it('1. explores the table and takes its columns', async () => {
    expect((await explore()).map((c) => c.name)).toContain(s().deltaColumn);
  });

  it('2. creates the source connection, validated against the live table', async () => {
    const id = await createSource(await columns());
    const fetched = await json('GET', `/sourceConnections/${id}`);
    expect(fetched.body.items[0]).toMatchObject({
      baseConnectionId: s().connectionId,
      state: 'enabled',
      data: { format: 'tabular' },
    });
  });

  it('3. creates a dataset and a target connection to it', async () => {
    const { dataSetId, targetConnectionId } = await createTarget(await columns());
    const fetched = await json('GET', `/targetConnections/${targetConnectionId}`);
    expect(fetched.body.items[0]).toMatchObject({ params: { dataSetId } });
  });

  it('4. creates a mapping set and finds the flow spec', async () => {
    const mappingId = await createMapping((await target()).dataSetId, await columns());
    expect(mappingId).toMatch(/^[0-9a-f]{32}$/);
    const specs = await json('GET', '/flowSpecs?property=name=="CRMToAEP"');
    expect(specs.body.items).toHaveLength(1);
    expect(specs.body.items[0].sourceConnectionSpecIds).toContain(specOf(name));
  });

  it("5. creates the flow and returns Adobe's shape", async () => {
    // Its own source connection, so the listing by source connection finds exactly this flow.
    const p = { ...(await prerequisites()), sourceConnectionId: await createSource(await columns()) };
    const created = await json('POST', '/flows', flowBody(p));
    expect(created.status, created.raw).toBe(201);
    const flow = (await json('GET', `/flows/${created.body.id}`)).body.items[0];
    expect(flow).toMatchObject({
      state: 'enabled',
      flowSpec: { id: CRM_TO_AEP },
      scheduleParams: { startTime: '1612310466', frequency: 'minute', interval: '15', backfill: 'true' },
      runs: `/runs?property=flowId==${created.body.id}`,
      lastOperation: { operation: 'create' },
      inheritedAttributes: {
        sourceConnections: [{ id: p.sourceConnectionId, baseConnection: { id: s().connectionId } }],
        targetConnections: [{ id: p.targetConnectionId, connectionSpec: { id: DATA_LAKE } }],
        properties: { isSourceFlow: true },
      },
    });
    expect(flow.schedule).toBeUndefined();
    const listed = await json('GET', `/flows?property=sourceConnectionIds[]==${p.sourceConnectionId}`);
    expect(listed.body.items.map((f: { id: string }) => f.id)).toEqual([created.body.id]);
  });

  it('6. refuses each wrong source connection with its own code', async () => {
    const p = await prerequisites();
    const base = {
      name: 'bad',
      baseConnectionId: s().connectionId,
      data: { format: 'tabular' },
      params: { tableName: s().table, columns: p.columns },
      connectionSpec: { id: specOf(name), version: '1.0' },
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ baseConnectionId: '00000000-0000-4000-8000-000000000000' }, 'FLOW-1338-400'],
      [{ connectionSpec: { id: specOf(name === 'databricks' ? 'ats' : 'databricks') } }, 'FLOW-1306-400'],
      [{ params: { tableName: 'nosuchtable', columns: p.columns } }, 'CONNECTOR-1344-400'],
      [
        { params: { tableName: s().table, columns: [{ name: 'nope', type: 'string' }] } },
        'CONNECTOR-1345-400',
      ],
      [
        { params: { tableName: s().table, columns: [{ name: s().deltaColumn, type: 'boolean' }] } },
        'CONNECTOR-1346-400',
      ],
      [
        { params: { tableName: s().table, columns: [{ name: s().deltaColumn, type: 'timestamp' }] } },
        'CONNECTOR-1312-400',
      ],
      [{ data: { format: 'json' } }, 'CONNECTOR-1327-400'],
      [{ params: { columns: p.columns } }, 'CONNECTOR-1304-400'],
      [
        {
          params: {
            tableName: s().table,
            columns: p.columns,
            filters: {
              type: 'PQL',
              format: 'pql/json',
              value: {
                nodeType: 'fnApply',
                fnName: '=',
                params: [
                  { nodeType: 'fieldLookup', fieldName: 'ghost' },
                  { nodeType: 'literal', value: 1 },
                ],
              },
            },
          },
        },
        'CONNECTOR-1377-400',
      ],
      [{ state: 'enabled' }, 'FLOW-1410-400'],
      [{ params: { tableName: s().table, columns: p.columns, cdcEnabled: true } }, 'CONNECTOR-1312-400'],
    ];
    for (const [override, code] of cases)
      expectCode(await json('POST', '/sourceConnections', { ...base, ...override }), 400, code);
  });

  it('7. refuses each wrong target connection with its own code', async () => {
    const p = await prerequisites();
    await t.sluice.identity.createSandbox(t.credentials.org.id, `other-${name}`).catch(() => undefined);
    const elsewhere = await json(
      'POST',
      '/data/foundation/catalog/dataSets',
      { name: 'elsewhere', schema: { fields: [{ name: 'a', type: 'string' }] } },
      { 'x-sandbox-name': `other-${name}` },
    );
    expect(elsewhere.status, elsewhere.raw).toBe(201);
    const otherSandboxDataset = String(elsewhere.body[0]).replace('@/dataSets/', '');
    const base = {
      name: 'bad',
      data: { format: 'parquet_xdm' },
      params: { dataSetId: p.dataSetId },
      connectionSpec: { id: DATA_LAKE, version: '1.0' },
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ connectionSpec: { id: DATABRICKS } }, 'FLOW-1307-400'],
      [{ params: {} }, 'FLOW-1325-400'],
      [{ params: { dataSetId: otherSandboxDataset } }, 'FLOW-1338-400'],
      [{ data: { format: 'csv' } }, 'CONNECTOR-1327-400'],
    ];
    for (const [override, code] of cases)
      expectCode(await json('POST', '/targetConnections', { ...base, ...override }), 400, code);
  });

  it('8. refuses each wrong flow with its own code', async () => {
    const p = await prerequisites();
    const copy = (column: string) => ({ name: 'Copy', params: { deltaColumn: { name: column } } });
    const mapping = (params: Record<string, unknown>) => ({ name: 'Mapping', params });
    const nonDate = p.columns.find((column) => column['meta:xdmType'] === undefined)!.name;
    const cases: [Record<string, unknown>, string][] = [
      [{ flowSpec: { id: '9753525b-82c7-4dce-8a9b-5ccfce2b9876' } }, 'FLOW-1423-400'],
      [{ sourceConnectionIds: [p.sourceConnectionId, p.sourceConnectionId] }, 'FLOW-1320-400'],
      [{ targetConnectionIds: [] }, 'FLOW-1321-400'],
      [{ sourceConnectionIds: ['00000000-0000-4000-8000-000000000000'] }, 'FLOW-1338-400'],
      [{ transformations: [mapping({ mappingId: p.mappingId })] }, 'CONNECTOR-1367-400'],
      [
        { scheduleParams: { startTime: '1612310466', frequency: 'minute', interval: '5' } },
        'CONNECTOR-1363-400',
      ],
      [
        {
          scheduleParams: { startTime: '1612310466', frequency: 'once', backfill: 'true' },
          transformations: [],
        },
        'CONNECTOR-1364-400',
      ],
      [
        {
          scheduleParams: { startTime: '1612310466', frequency: 'once', interval: '1' },
          transformations: [],
        },
        'CONNECTOR-1361-400',
      ],
      [{ scheduleParams: { startTime: '1612310466', frequency: 'once' } }, 'CONNECTOR-1369-400'],
      [
        { scheduleParams: { startTime: '1612310466', frequency: 'hour', interval: '0' } },
        'CONNECTOR-1362-400',
      ],
      [{ scheduleParams: { startTime: '1612310466', frequency: 'hour' } }, 'CONNECTOR-1362-400'],
      [
        { scheduleParams: { startTime: '1612310466', frequency: 'yearly', interval: '1' } },
        'CONNECTOR-1365-400',
      ],
      [{ scheduleParams: { startTime: 'soon', frequency: 'hour', interval: '1' } }, 'CONNECTOR-1360-400'],
      [{ transformations: [copy(nonDate)] }, 'CONNECTOR-1370-400'],
      [{ transformations: [copy('ghost')] }, 'CONNECTOR-1370-400'],
      [{ transformations: [copy(s().deltaColumn), mapping({ mappingId: 'f'.repeat(32) })] }, 'FLOW-1338-400'],
      [{ transformations: [copy(s().deltaColumn), { name: 'Explode', params: {} }] }, 'FLOW-1407-400'],
      [{ options: { partialIngestionPercent: -1 } }, 'CONNECTOR-1312-400'],
      [{ state: 'enabled' }, 'FLOW-1410-400'],
      [{ scheduleParams: undefined }, 'CONNECTOR-1312-400'],
    ];
    for (const [override, code] of cases)
      expectCode(await json('POST', '/flows', flowBody(p, override)), 400, code);
    // A mapping version that does not exist is refused too.
    const badVersion = await json(
      'POST',
      '/flows',
      flowBody(p, {
        transformations: [copy(s().deltaColumn), mapping({ mappingId: p.mappingId, mappingVersion: 7 })],
      }),
    );
    expect(badVersion.status, badVersion.raw).toBe(400);
    expect(badVersion.raw).toContain('version');
  });

  it("9. keeps a started flow's schedule immutable, and guards deletions", async () => {
    const p = await prerequisites();
    const created = await json('POST', '/flows', flowBody(p));
    expect(created.status, created.raw).toBe(201);
    const flowId: string = created.body.id;
    const flow = (await json('GET', `/flows/${flowId}`)).body.items[0];
    const patch = (ops: unknown) => json('PATCH', `/flows/${flowId}`, ops, { 'if-match': flow.etag });
    expectCode(
      await patch([{ op: 'replace', path: '/scheduleParams/startTime', value: '1712310466' }]),
      400,
      'CONNECTOR-1366-400',
    );
    expectCode(
      await patch([{ op: 'replace', path: '/scheduleParams/backfill', value: 'false' }]),
      400,
      'CONNECTOR-1404-400',
    );
    expectCode(
      await patch([
        { op: 'replace', path: '/scheduleParams', value: { startTime: '1612310466', frequency: 'once' } },
        { op: 'replace', path: '/transformations', value: [] },
      ]),
      400,
      'CONNECTOR-1403-400',
    );
    expectCode(
      await patch([{ op: 'replace', path: '/sourceConnectionIds', value: [] }]),
      400,
      'FLOW-1365-400',
    );
    const renamed = await patch([
      { op: 'replace', path: '/name', value: 'renamed' },
      { op: 'replace', path: '/scheduleParams/interval', value: '30' },
    ]);
    expect(renamed.status, renamed.raw).toBe(200);
    const after = (await json('GET', `/flows/${flowId}`)).body.items[0];
    expect(after.lastOperation).toMatchObject({
      operation: 'update',
      ops: [
        { op: 'replace', path: '/name' },
        { op: 'replace', path: '/scheduleParams/interval' },
      ],
    });

    expectCode(await json('DELETE', `/connections/${s().connectionId}`), 400, 'FLOW-1418-400');
    expectCode(await json('DELETE', `/sourceConnections/${p.sourceConnectionId}`), 400, 'FLOW-1447-400');
    expectCode(await json('DELETE', `/targetConnections/${p.targetConnectionId}`), 400, 'FLOW-1447-400');
    const refusedDataset = await json('DELETE', `/data/foundation/catalog/dataSets/${p.dataSetId}`);
    expect(refusedDataset.status, refusedDataset.raw).toBe(400);
    expect(refusedDataset.raw).toContain(flowId);

    const disabled = await json('POST', `/flows/${flowId}/action?op=disable`);
    expect(disabled.status, disabled.raw).toBe(200);
    expectCode(await json('POST', `/flows/${flowId}/action?op=disable`), 400, 'FLOW-1422-400');
    expect((await json('POST', `/flows/${flowId}/action?op=enable`)).status).toBe(200);
  });
});
