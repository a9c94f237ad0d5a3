/**
 * Adobe's database tutorial, from schema to dataset to flow, with Adobe's own bodies (flow-service-api.md
 * §3.4–§3.7 and §6; only ids, the host and the source's connection spec substituted), against the
 * Databricks emulator: explore answers Adobe's column shapes, the XDM schema goes to the Schema Registry,
 * the dataset is created from its `schemaRef`, the mapping set names the schema's `$id`, and the flow's
 * first run lands the mapped rows. A second journey takes the UI's shortcut: the schema made from the
 * explored table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../emulators/databricks/index.ts';
import { tenantOf } from './support/flows.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const DATA_LAKE = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
const REGISTRY = '/data/foundation/schemaregistry';

let t: TestSluice;
let emulator: DatabricksEmulator;
/** Every call of a journey: method, path (ids elided) and status, for the report. */
const calls: string[] = [];

const send = async (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) => {
  const response = await t.request(method, path, { ...(body === undefined ? {} : { body }), headers });
  const shown = (path.split('?')[0] ?? '')
    .replace(/https%3A%2F%2F.*$/, '{$id}')
    .replace(/[0-9a-f-]{24,}/g, '{id}');
  calls.push(`${method} ${shown} → ${response.statusCode}`);
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(300);
  return JSON.parse(response.body) as any;
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
              name: 'test1',
              tables: [
                {
                  name: 'Mytable',
                  columns: [
                    { name: 'TestID', type: 'STRING' },
                    { name: 'Name', type: 'STRING' },
                    { name: 'Datefield', type: 'TIMESTAMP' },
                  ],
                  rows: [
                    ['c-1', 'Ada Lovelace', new Date('2022-06-22T10:00:00Z')],
                    ['c-2', 'Grace Hopper', new Date('2022-06-23T23:30:00Z')],
                    ['c-3', 'Alan Turing', new Date('2022-06-24T00:15:00Z')],
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  });
  t = await startTestSluice({
    env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile, SLUICE_RUN_SAFETY_LAG_MS: '0' },
  });
});

afterAll(async () => {
  await t.close();
  await emulator.stop();
});

/** Step 1 (§3.2): the base connection, with the tutorial's body. */
const baseConnection = async (): Promise<string> =>
  (
    await send('POST', '/connections', {
      name: 'Databricks connection to Experience Platform',
      description: 'Databricks connection',
      auth: {
        specName: 'Access Token Authentication',
        params: {
          domain: emulator.url,
          clusterId: emulator.clusterId,
          accessToken: emulator.token,
          database: 'test1',
        },
      },
      connectionSpec: { id: DATABRICKS, version: '1.0' },
    })
  ).id as string;

/** The first run of a flow whose start time has passed, as the runner executes it; then its rows. */
const firstRun = async (flowId: string, dataSetId: string, select: string) => {
  await t.sluice.worker.runOnce();
  const runs = await send('GET', `/runs?property=flowId==${flowId}`);
  expect(runs.items).toHaveLength(1);
  const run = runs.items[0];
  const result = await t.sluice.datasets.query(
    tenantOf(t),
    `SELECT ${select} FROM dataset('${dataSetId}') ORDER BY 1`,
  );
  return { run, rows: result.rows };
};

describe("Adobe's database tutorial", () => {
  it('succeeds from schema to dataset to flow with Adobe’s bodies, and the flow lands the mapped rows', async () => {
    calls.length = 0;
    const connectionId = await baseConnection();

    // Step 2 (§3.3): explore. Columns come in Adobe's shape: temporal columns are strings + meta:xdmType.
    const tables = await send('GET', `/connections/${connectionId}/explore?objectType=root`);
    expect(tables.map((table: { path: string }) => table.path)).toContain('test1.Mytable');
    const explored = await send(
      'GET',
      `/connections/${connectionId}/explore?objectType=table&object=test1.Mytable`,
    );
    const columns = explored.schema.columns.map(
      ({ meta: _meta, ...column }: Record<string, unknown>) => column,
    );
    expect(columns).toEqual([
      { name: 'TestID', type: 'string', xdm: { type: 'string' } },
      { name: 'Name', type: 'string', xdm: { type: 'string' } },
      {
        name: 'Datefield',
        type: 'string',
        'meta:xdmType': 'date-time',
        xdm: { type: 'string', format: 'date-time' },
      },
    ]);

    // Step 3 (§3.4): the source connection, Adobe's body (cdcEnabled left out: Sluice copies windows only).
    const { id: sourceConnectionId } = await send('POST', '/sourceConnections', {
      name: 'Database source connection',
      baseConnectionId: connectionId,
      description: 'Database source connection',
      data: { format: 'tabular' },
      params: {
        tableName: 'test1.Mytable',
        columns: [
          { name: 'TestID', type: 'string', xdm: { type: 'string' } },
          { name: 'Name', type: 'string', xdm: { type: 'string' } },
          {
            name: 'Datefield',
            type: 'string',
            'meta:xdmType': 'date-time',
            xdm: { type: 'string', format: 'date-time' },
          },
        ],
      },
      connectionSpec: { id: DATABRICKS, version: '1.0' },
    });

    // Step 4: the target XDM schema in the Schema Registry (a record class, fields inline).
    const schema = await send('POST', `${REGISTRY}/tenant/schemas`, {
      title: 'Database tutorial customers',
      description: 'The target schema of the database source tutorial.',
      type: 'object',
      allOf: [
        { $ref: 'https://ns.adobe.com/xdm/context/profile' },
        {
          properties: {
            _id: { type: 'string', title: 'Identifier' },
            person: {
              type: 'object',
              properties: {
                name: { type: 'object', properties: { fullName: { type: 'string', title: 'Full name' } } },
                birthDate: { type: 'string', format: 'date', title: 'Birth date' },
              },
            },
          },
        },
      ],
    });
    const schemaId = schema.$id as string;
    const lookedUp = await send(
      'GET',
      `${REGISTRY}/tenant/schemas/${encodeURIComponent(schemaId)}`,
      undefined,
      {
        accept: 'application/vnd.adobe.xed-full+json; version=1',
      },
    );
    expect(Object.keys(lookedUp.properties)).toEqual(['_id', 'person']);

    // Step 5 (§6): the dataset, Adobe's body verbatim.
    const dataset = await send('POST', '/data/foundation/catalog/dataSets', {
      name: 'Database tutorial dataset',
      schemaRef: { id: schemaId, contentType: 'application/vnd.adobe.xed+json;version=1' },
      tags: { unifiedProfile: ['enabled: true'] },
    });
    expect(dataset).toEqual([expect.stringMatching(/^@\/dataSets\/[0-9a-f]{24}$/)]);
    const dataSetId = String(dataset[0]).replace('@/dataSets/', '');

    // Step 6 (§3.5): the target connection, the tutorial's body.
    const { id: targetConnectionId } = await send('POST', '/targetConnections', {
      name: 'Database target connection',
      description: 'Database target connection',
      data: { schema: { id: schemaId, version: 'application/vnd.adobe.xed-full+json;version=1' } },
      params: { dataSetId },
      connectionSpec: { id: DATA_LAKE, version: '1.0' },
    });

    // Step 7 (§6): the mapping set, the tutorial's body verbatim.
    const mapping = await send('POST', '/data/foundation/conversion/mappingSets', {
      version: 0,
      xdmSchema: schemaId,
      xdmVersion: '1.0',
      id: null,
      mappings: [
        {
          destinationXdmPath: '_id',
          sourceAttribute: 'TestID',
          identity: false,
          identityGroup: null,
          namespaceCode: null,
          version: 0,
        },
        {
          destinationXdmPath: 'person.name.fullName',
          sourceAttribute: 'Name',
          identity: false,
          identityGroup: null,
          namespaceCode: null,
          version: 0,
        },
        {
          destinationXdmPath: 'person.birthDate',
          sourceAttribute: 'Datefield',
          identity: false,
          identityGroup: null,
          namespaceCode: null,
          version: 0,
        },
      ],
    });

    // Step 8 (§3.6): the flow spec.
    const specs = await send('GET', '/flowSpecs?property=name=="CRMToAEP"');
    const flowSpec = specs.items[0];
    expect(flowSpec.sourceConnectionSpecIds).toContain(DATABRICKS);

    // Step 9 (§3.7): the flow, the tutorial's body (its start time is in the past).
    const { id: flowId } = await send('POST', '/flows', {
      name: 'Database dataflow using Databricks',
      description: 'collecting test1.Mytable',
      flowSpec: { id: flowSpec.id, version: '1.0' },
      sourceConnectionIds: [sourceConnectionId],
      targetConnectionIds: [targetConnectionId],
      transformations: [
        {
          name: 'Copy',
          params: { deltaColumn: { name: 'Datefield', dateFormat: 'YYYY-MM-DD', timezone: 'UTC' } },
        },
        { name: 'Mapping', params: { mappingId: mapping.id, mappingVersion: 0 } },
      ],
      scheduleParams: { startTime: '1612310466', frequency: 'minute', interval: '15', backfill: 'true' },
      options: { partialIngestionPercent: 10, errorDiagnosticsEnabled: true },
    });

    // Step 10 (§6): monitor. The first (backfill) run lands every row, mapped into the schema's fields.
    const { run, rows } = await firstRun(
      flowId,
      dataSetId,
      "_id, person.name.fullName, strftime(person.birthDate, '%Y-%m-%d')",
    );
    expect(run.metrics.statusSummary.status, JSON.stringify(run.metrics.statusSummary)).toBe('success');
    expect(run.metrics.recordSummary).toMatchObject({
      inputRecordCount: 3,
      outputRecordCount: 3,
      failedRecordCount: 0,
    });
    expect(run.activities[0].durationSummary.extensions).toEqual({
      windowStart: 0,
      windowEnd: expect.any(Number),
    });
    expect(rows).toEqual([
      ['c-1', 'Ada Lovelace', '2022-06-22'],
      ['c-2', 'Grace Hopper', '2022-06-23'],
      ['c-3', 'Alan Turing', '2022-06-24'],
    ]);
    expect(calls).toEqual([
      'POST /connections → 201',
      'GET /connections/{id}/explore → 200',
      'GET /connections/{id}/explore → 200',
      'POST /sourceConnections → 201',
      `POST ${REGISTRY}/tenant/schemas → 201`,
      `GET ${REGISTRY}/tenant/schemas/{$id} → 200`,
      'POST /data/foundation/catalog/dataSets → 201',
      'POST /targetConnections → 201',
      'POST /data/foundation/conversion/mappingSets → 201',
      'GET /flowSpecs → 200',
      'POST /flows → 201',
      'GET /runs → 200',
    ]);
  });

  it('takes the wizard’s shortcut: the schema made from the explored table, then dataset and flow', async () => {
    calls.length = 0;
    const connectionId = await baseConnection();
    const explored = await send(
      'GET',
      `/connections/${connectionId}/explore?objectType=table&object=test1.Mytable`,
    );
    const schema = await send('POST', `${REGISTRY}/tenant/schemas/fromTable`, {
      title: 'Mytable as explored',
      connectionId,
      object: 'test1.Mytable',
    });
    expect(schema.allOf[1].properties).toEqual({
      TestID: { type: 'string', 'meta:xdmType': 'string', title: 'TestID' },
      Name: { type: 'string', 'meta:xdmType': 'string', title: 'Name' },
      Datefield: { type: 'string', format: 'date-time', 'meta:xdmType': 'date-time', title: 'Datefield' },
    });
    const dataset = await send('POST', '/data/foundation/catalog/dataSets', {
      name: 'Mytable landing',
      schemaRef: { id: schema['meta:altId'], contentType: 'application/vnd.adobe.xed+json;version=1' },
    });
    const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
    // The explored columns go back verbatim; without a Mapping, columns land in the fields of their name.
    const { id: sourceConnectionId } = await send('POST', '/sourceConnections', {
      name: 'Mytable',
      baseConnectionId: connectionId,
      data: { format: 'tabular' },
      params: { tableName: 'test1.Mytable', columns: explored.schema.columns },
      connectionSpec: { id: DATABRICKS, version: '1.0' },
    });
    const { id: targetConnectionId } = await send('POST', '/targetConnections', {
      name: 'Mytable landing',
      data: { schema: { id: schema.$id, version: 'application/vnd.adobe.xed-full+json;version=1' } },
      params: { dataSetId },
      connectionSpec: { id: DATA_LAKE, version: '1.0' },
    });
    const { id: flowId } = await send('POST', '/flows', {
      name: 'Mytable dataflow',
      flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860', version: '1.0' },
      sourceConnectionIds: [sourceConnectionId],
      targetConnectionIds: [targetConnectionId],
      transformations: [{ name: 'Copy', params: { deltaColumn: { name: 'Datefield' } } }],
      scheduleParams: { startTime: '1612310466', frequency: 'hour', interval: '1', backfill: 'true' },
    });
    const { run, rows } = await firstRun(
      flowId,
      dataSetId,
      "TestID, Name, strftime(Datefield, '%Y-%m-%dT%H:%M:%S')",
    );
    expect(run.metrics.statusSummary.status, JSON.stringify(run.metrics.statusSummary)).toBe('success');
    expect(rows).toEqual([
      ['c-1', 'Ada Lovelace', '2022-06-22T10:00:00'],
      ['c-2', 'Grace Hopper', '2022-06-23T23:30:00'],
      ['c-3', 'Alan Turing', '2022-06-24T00:15:00'],
    ]);
    expect(calls).toEqual([
      'POST /connections → 201',
      'GET /connections/{id}/explore → 200',
      `POST ${REGISTRY}/tenant/schemas/fromTable → 201`,
      'POST /data/foundation/catalog/dataSets → 201',
      'POST /sourceConnections → 201',
      'POST /targetConnections → 201',
      'POST /flows → 201',
      'GET /runs → 200',
    ]);
  });
});
