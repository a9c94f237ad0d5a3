/**
 * Flow set-up over the HTTP API for run tests: connection → source connection → dataset → target
 * connection → (mapping set) → flow, with the dataset fields following the explored source columns
 * unless given. Also small readers of runs and landed rows shared by the failure and crash tests.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Tenant } from '../../src/domain/tenancy.ts';
import type { Run } from '../../src/domain/run.ts';
import type { TestSluice } from './sluice.ts';

export const DATABRICKS_SPEC = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
export const ATS_SPEC = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const DATA_LAKE_SPEC = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
const FLOW_SPEC = '14518937-270c-4525-bdec-c2ba7cce3860';

export async function api(t: TestSluice, method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
  const response = await t.request(method, path, body === undefined ? {} : { body });
  expect(response.statusCode, `${method} ${path}: ${response.body}`).toBeLessThan(300);
  return JSON.parse(response.body) as unknown;
}

export const tenantOf = (t: TestSluice): Tenant => ({
  orgId: t.credentials.org.id,
  sandboxId: t.credentials.sandbox.id,
  sandboxName: 'prod',
});

export const databricksConnection = (
  emulator: { url: string; clusterId: string; token: string },
  clusterId = emulator.clusterId,
) => ({
  name: 'Databricks',
  auth: {
    specName: 'Access Token Authentication',
    params: { domain: emulator.url, clusterId, accessToken: emulator.token, database: 'shop' },
  },
  connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
});

export const atsConnection = (connectionString: string) => ({
  name: 'ATS',
  auth: { specName: 'Connection String Based Authentication', params: { connectionString } },
  connectionSpec: { id: ATS_SPEC, version: '1.0' },
});

export interface FlowSetup {
  readonly connection: ReturnType<typeof databricksConnection> | ReturnType<typeof atsConnection>;
  readonly table: string;
  readonly columns: readonly string[];
  readonly deltaColumn: string;
  /** Dataset fields; default: the explored columns with their types. */
  readonly fields?: readonly Record<string, unknown>[];
  /** Source column → dataset field mappings; creates a mapping set and a Mapping transformation. */
  readonly mappings?: readonly { source: string; destination: string }[];
  readonly options?: Record<string, unknown>;
  /** Default: hourly from a day ahead, so the scheduler never creates runs by itself. */
  readonly scheduleParams?: Record<string, string>;
}

export interface CreatedFlow {
  readonly flowId: string;
  readonly dataSetId: string;
  readonly connectionId: string;
}

export async function createFlow(t: TestSluice, setup: FlowSetup): Promise<CreatedFlow> {
  // Dataset names are unique per sandbox; several flows may read one table.
  const tag = `${setup.table} ${randomBytes(3).toString('hex')}`;
  const { id: connectionId } = await api(t, 'POST', '/connections', setup.connection);
  const explored = await api(
    t,
    'GET',
    `/connections/${connectionId}/explore?objectType=table&object=${encodeURIComponent(setup.table)}`,
  );
  const columns = (
    explored.schema.columns as {
      name: string;
      type: string;
      'meta:xdmType'?: string;
      meta?: { precision?: number; scale?: number };
    }[]
  ).filter((column) => setup.columns.includes(column.name));
  const { id: sourceConnectionId } = await api(t, 'POST', '/sourceConnections', {
    name: `source ${tag}`,
    baseConnectionId: connectionId,
    data: { format: 'tabular' },
    params: { tableName: setup.table, columns },
    connectionSpec: setup.connection.connectionSpec,
  });
  const fields =
    setup.fields ??
    columns.map((column) => ({
      name: column.name,
      type: column.type,
      ...(column['meta:xdmType'] === undefined ? {} : { 'meta:xdmType': column['meta:xdmType'] }),
      ...(column.meta?.precision === undefined
        ? {}
        : { precision: column.meta.precision, scale: column.meta.scale }),
    }));
  const dataset = await api(t, 'POST', '/data/foundation/catalog/dataSets', {
    name: `landing ${tag}`,
    schema: { fields },
  });
  const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
  const { id: targetConnectionId } = await api(t, 'POST', '/targetConnections', {
    name: `target ${tag}`,
    data: { format: 'parquet_xdm' },
    params: { dataSetId },
    connectionSpec: { id: DATA_LAKE_SPEC, version: '1.0' },
  });
  const transformations: unknown[] = [{ name: 'Copy', params: { deltaColumn: { name: setup.deltaColumn } } }];
  if (setup.mappings) {
    const mapping = await api(t, 'POST', '/data/foundation/conversion/mappingSets', {
      version: 0,
      xdmSchema: 'https://ns.adobe.com/sluice/schemas/x',
      xdmVersion: '1.0',
      id: null,
      dataSetId,
      mappings: setup.mappings.map((m) => ({
        sourceType: 'ATTRIBUTE',
        sourceAttribute: m.source,
        destinationXdmPath: m.destination,
      })),
    });
    transformations.push({ name: 'Mapping', params: { mappingId: mapping.id, mappingVersion: 0 } });
  }
  const { id: flowId } = await api(t, 'POST', '/flows', {
    name: `flow ${tag}`,
    flowSpec: { id: FLOW_SPEC, version: '1.0' },
    sourceConnectionIds: [sourceConnectionId],
    targetConnectionIds: [targetConnectionId],
    transformations,
    scheduleParams: setup.scheduleParams ?? {
      startTime: String(Math.floor(Date.now() / 1000) + 86_400),
      frequency: 'hour',
      interval: '1',
      backfill: 'true',
    },
    ...(setup.options === undefined ? {} : { options: setup.options }),
  });
  return { flowId, dataSetId, connectionId };
}

/** A run in Adobe's shape, read over the API. */
export const runView = async (t: TestSluice, runId: string): Promise<any> =>
  (await api(t, 'GET', `/runs/${runId}`)).items[0];

/** Every run of a flow as stored, oldest first. */
export async function runsOf(t: TestSluice, flowId: string): Promise<Run[]> {
  const listed = await api(t, 'GET', `/runs?property=flowId==${flowId}&orderby=createdAt&limit=1000`);
  const ids = (listed.items as { id: string }[]).map((item) => item.id);
  const runs = await Promise.all(ids.map((id) => t.sluice.runs.load(tenantOf(t), id)));
  return runs.sort((a, b) => a.createdAt - b.createdAt);
}

/** One aggregate row of a dataset query, as numbers. */
export async function aggregate(t: TestSluice, sql: string): Promise<number[]> {
  const result = await t.sluice.datasets.query(tenantOf(t), sql);
  return (result.rows[0] ?? []).map((value) => Number(value));
}
