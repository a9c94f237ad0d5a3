/**
 * The flows `npm run bench:ingest` measures, created over HTTP (in-process inject) on a Sluice in the
 * bench's data dir: per source one connection, then per table a source connection (the explored
 * columns), a dataset of the same fields, a target connection and a flow whose schedule starts far in
 * the future (the bench drives each flow's single window with `runNow`). The Sluice is closed before
 * any flow runs, so the measured child processes are the only ones using the store.
 */
import type { App } from '../../src/api/types.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createSluice } from '../../src/sluice.ts';

const BASE = '/data/foundation/flowservice';
const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const DATA_LAKE = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
const CRM_TO_AEP = '14518937-270c-4525-bdec-c2ba7cce3860';

export interface FlowTarget {
  readonly key: string;
  readonly source: 'ats' | 'dbx';
  readonly table: string;
  /** The flow's options (e.g. `parallelism`). */
  readonly options?: Record<string, unknown>;
}

export interface BenchFlows {
  readonly orgId: string;
  readonly sandboxId: string;
  /** flowId by FlowTarget.key. */
  readonly flows: ReadonlyMap<string, string>;
}

async function call(
  app: App,
  headers: Record<string, string>,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
) {
  const response = await app.inject({
    method,
    url: path.startsWith('/data/') ? path : `${BASE}${path}`,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  if (response.statusCode >= 300)
    throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${response.body}`);
  return JSON.parse(response.body) as Record<string, unknown>;
}

interface Column {
  name: string;
  type: string;
  /** Explore marks dates and timestamps (type string) with date or date-time. */
  'meta:xdmType'?: string;
  meta?: { precision?: number; scale?: number };
}

export async function createBenchFlows(
  env: Record<string, string>,
  sources: { ats: { connectionString: string }; dbx: { url: string; clusterId: string; token: string } },
  targets: readonly FlowTarget[],
): Promise<BenchFlows> {
  const sluice = await createSluice(loadConfig(env));
  try {
    const app = await sluice.buildApp(false);
    const credentials = await sluice.identity.createOrg('Bench');
    const headers = {
      authorization: `Bearer ${credentials.accessToken}`,
      'x-api-key': credentials.apiKey,
      'x-gw-ims-org-id': credentials.org.id,
      'x-sandbox-name': 'prod',
    };
    const connections = {
      ats: String(
        (
          await call(app, headers, 'POST', '/connections', {
            name: 'bench ATS',
            auth: { specName: 'Connection String Based Authentication', params: sources.ats },
            connectionSpec: { id: ATS, version: '1.0' },
          })
        )['id'],
      ),
      dbx: String(
        (
          await call(app, headers, 'POST', '/connections', {
            name: 'bench Databricks',
            auth: {
              specName: 'Access Token Authentication',
              params: {
                domain: sources.dbx.url,
                clusterId: sources.dbx.clusterId,
                accessToken: sources.dbx.token,
                database: 'data',
              },
            },
            connectionSpec: { id: DATABRICKS, version: '1.0' },
          })
        )['id'],
      ),
    };
    const flows = new Map<string, string>();
    for (const target of targets) {
      const table = target.source === 'ats' ? target.table : `data.${target.table}`;
      const explored = await call(
        app,
        headers,
        'GET',
        `/connections/${connections[target.source]}/explore?objectType=table&object=${encodeURIComponent(table)}`,
      );
      const { columns } = explored['schema'] as { columns: Column[] };
      const sourceConnection = await call(app, headers, 'POST', '/sourceConnections', {
        name: target.key,
        baseConnectionId: connections[target.source],
        data: { format: 'tabular' },
        params: { tableName: table, columns },
        connectionSpec: { id: target.source === 'ats' ? ATS : DATABRICKS, version: '1.0' },
      });
      const dataset = (await call(app, headers, 'POST', '/data/foundation/catalog/dataSets', {
        name: target.key,
        schema: {
          fields: columns.map((column) => ({
            name: column.name,
            type: column.type,
            ...(column['meta:xdmType'] === undefined ? {} : { 'meta:xdmType': column['meta:xdmType'] }),
            ...(column.meta?.precision === undefined
              ? {}
              : { precision: column.meta.precision, scale: column.meta.scale }),
          })),
        },
      })) as unknown as string[];
      const dataSetId = String(dataset[0]).replace('@/dataSets/', '');
      const targetConnection = await call(app, headers, 'POST', '/targetConnections', {
        name: target.key,
        data: { format: 'parquet_xdm' },
        params: { dataSetId },
        connectionSpec: { id: DATA_LAKE, version: '1.0' },
      });
      const flow = await call(app, headers, 'POST', '/flows', {
        name: target.key,
        flowSpec: { id: CRM_TO_AEP, version: '1.0' },
        sourceConnectionIds: [sourceConnection['id']],
        targetConnectionIds: [targetConnection['id']],
        transformations: [
          { name: 'Copy', params: { deltaColumn: { name: target.source === 'ats' ? 'Timestamp' : 'at' } } },
        ],
        scheduleParams: {
          startTime: String(Math.floor(Date.now() / 1000) + 86_400),
          frequency: 'hour',
          interval: '1',
          backfill: 'true',
        },
        ...(target.options === undefined ? {} : { options: target.options }),
      });
      flows.set(target.key, String(flow['id']));
    }
    await app.close();
    return { orgId: credentials.org.id, sandboxId: credentials.sandbox.id, flows };
  } finally {
    await sluice.close();
  }
}
