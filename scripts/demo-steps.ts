/**
 * The tutorials' calls, in order, for one dataflow per source (Databricks `customers`, Azure Table
 * Storage `events`): connectionSpecs → connections → explore → dataSets → targetConnections →
 * mappingSets → sourceConnections → flowSpecs → flows; then how the demo waits for and shows runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DemoSources } from './demo-sources.ts';
import { httpClient, say, type Call, type SluiceServer } from './demo-support.ts';

const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const ATS = 'ecde33f2-c56f-46cc-bdea-ad151c16cd69';
const DATA_LAKE = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';

export interface Dataflow {
  readonly id: string;
  readonly label: string;
  readonly datasetName: string;
  firstRunId?: string;
}

interface Column {
  name: string;
  type: string;
  /** Explore marks dates and timestamps (type string) with date or date-time. */
  'meta:xdmType'?: string;
  meta?: { precision?: number; scale?: number };
}

interface Source {
  readonly label: string;
  readonly spec: string;
  readonly table: string;
  readonly datasetName: string;
  readonly deltaColumn: string;
  readonly auth: { specName: string; params: Record<string, string> };
  connectionId?: string;
  columns?: Column[];
  datasetId?: string;
  targetId?: string;
  mappingId?: string;
  sourceId?: string;
}

const items = <T>(body: { items?: T[] }): T[] => body.items ?? [];

export async function createDataflow(
  server: SluiceServer,
  sources: DemoSources,
  safetyLagMs: number,
): Promise<{ dbx: Dataflow; ats: Dataflow }> {
  const call = httpClient(server);
  const { emulator } = sources;
  const dbx: Source = {
    label: 'Databricks',
    spec: DATABRICKS,
    table: 'demo.customers',
    datasetName: 'customers',
    deltaColumn: 'updated_at',
    auth: {
      specName: 'Access Token Authentication',
      params: {
        domain: emulator.url,
        clusterId: emulator.clusterId,
        accessToken: emulator.token,
        database: 'demo',
      },
    },
  };
  const ats: Source = {
    label: 'Azure Table Storage',
    spec: ATS,
    table: 'events',
    datasetName: 'events',
    // The service stamps every entity's Timestamp on write: the natural delta column of a table.
    deltaColumn: 'Timestamp',
    auth: {
      specName: 'Connection String Based Authentication',
      params: { connectionString: sources.azuriteConnectionString },
    },
  };
  const both = [dbx, ats];

  say.step('3. Connection specs');
  const specs = items(await call<{ items?: { id: string; name: string }[] }>('GET', '/connectionSpecs'));
  say.line(specs.map((spec) => `${spec.name} (${spec.id})`).join(', '));

  say.step('4. Base connections: credentials verified live, stored encrypted');
  for (const source of both) {
    const created = await call<{ id: string }>('POST', '/connections', {
      name: `Demo ${source.label}`,
      auth: source.auth,
      connectionSpec: { id: source.spec, version: '1.0' },
    });
    source.connectionId = created.id;
    say.note(`${source.label} connection ${created.id}`);
  }

  say.step("5. Explore: the tables, one table's columns, a preview");
  for (const source of both) {
    const base = `/connections/${source.connectionId ?? ''}/explore`;
    const tables = await call<{ path: string }[]>('GET', `${base}?objectType=root`);
    say.note(`tables: ${tables.map((table) => table.path).join(', ')}`);
    const described = await call<{ schema: { columns: Column[] } }>(
      'GET',
      `${base}?objectType=table&object=${encodeURIComponent(source.table)}`,
    );
    source.columns = described.schema.columns;
    say.note(
      `columns: ${source.columns.map((column) => `${column.name}:${column['meta:xdmType'] ?? column.type}`).join(', ')}`,
    );
    const preview = await call<{ data?: Record<string, unknown>[] }>(
      'GET',
      `${base}?objectType=table&object=${encodeURIComponent(source.table)}&preview=true&count=2`,
    );
    say.note(`preview: ${JSON.stringify(preview.data?.[0] ?? {}).slice(0, 150)}…`);
  }

  say.step(
    '6. Datasets in the lake (the explored columns), target connections, mapping sets, source connections',
  );
  for (const source of both) {
    const columns = source.columns ?? [];
    const dataset = await call<string[]>('POST', '/data/foundation/catalog/dataSets', {
      name: source.datasetName,
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
    });
    source.datasetId = String(dataset[0]).replace('@/dataSets/', '');
    const target = await call<{ id: string }>('POST', '/targetConnections', {
      name: `${source.datasetName} in the lake`,
      data: { format: 'parquet_xdm' },
      params: { dataSetId: source.datasetId },
      connectionSpec: { id: DATA_LAKE, version: '1.0' },
    });
    source.targetId = target.id;
    const mapping = await call<{ id: string }>('POST', '/data/foundation/conversion/mappingSets', {
      version: 0,
      xdmSchema: `https://ns.adobe.com/sluice/schemas/${source.datasetName}`,
      xdmVersion: '1.0',
      id: null,
      dataSetId: source.datasetId,
      mappings: columns.map((column) => ({
        sourceType: 'ATTRIBUTE',
        source: column.name,
        destination: column.name,
      })),
    });
    source.mappingId = mapping.id;
    const created = await call<{ id: string }>('POST', '/sourceConnections', {
      name: `${source.label} ${source.table}`,
      baseConnectionId: source.connectionId,
      data: { format: 'tabular' },
      params: { tableName: source.table, columns },
      connectionSpec: { id: source.spec, version: '1.0' },
    });
    source.sourceId = created.id;
    say.note(
      `${source.datasetName}: dataset ${source.datasetId}, target ${target.id}, mapping set ${mapping.id}, source ${created.id}`,
    );
  }

  say.step('7. The flow spec CRMToAEP');
  const [flowSpec] = items(
    await call<{ items?: { id: string; name: string }[] }>('GET', '/flowSpecs?property=name=="CRMToAEP"'),
  );
  if (flowSpec === undefined) throw new Error('GET /flowSpecs found no CRMToAEP');
  say.note(`${flowSpec.name} ${flowSpec.id}`);

  // The first window ends at the start time minus the safety lag: every sample entity must be older.
  const settled = sources.lastEventWrite + safetyLagMs + 1_000;
  if (Date.now() < settled) await sleep(settled - Date.now());
  say.step('8. The flows: every 15 minutes from now, with backfill (the first run is due at once)');
  const startTime = String(Math.floor(Date.now() / 1000));
  const flows: Dataflow[] = [];
  for (const source of both) {
    const created = await call<{ id: string }>('POST', '/flows', {
      name: `${source.label} ${source.table} to ${source.datasetName}`,
      flowSpec: { id: flowSpec.id, version: '1.0' },
      sourceConnectionIds: [source.sourceId],
      targetConnectionIds: [source.targetId],
      transformations: [
        {
          name: 'Copy',
          params: { deltaColumn: { name: source.deltaColumn, dateFormat: 'YYYY-MM-DD', timezone: 'UTC' } },
        },
        { name: 'Mapping', params: { mappingId: source.mappingId, mappingVersion: 0 } },
      ],
      scheduleParams: { startTime, frequency: 'minute', interval: '15', backfill: 'true' },
    });
    say.note(`${source.label} flow ${created.id} (delta column ${source.deltaColumn})`);
    flows.push({ id: created.id, label: source.datasetName, datasetName: source.datasetName });
  }
  const [dbxFlow, atsFlow] = flows;
  if (dbxFlow === undefined || atsFlow === undefined) throw new Error('flows were not created');
  return { dbx: dbxFlow, ats: atsFlow };
}

export interface RunView {
  id: string;
  metrics: {
    statusSummary: { status: string; errors?: { code: string; message: string }[] };
    recordSummary: { inputRecordCount?: number; outputRecordCount?: number; failedRecordCount?: number };
    durationSummary: { startedAtUTC?: number; completedAtUTC?: number };
  };
  activities?: { durationSummary?: { extensions?: { windowStart?: number | null; windowEnd?: number } } }[];
}

const TERMINAL = new Set(['success', 'failed', 'cancelled', 'canceled', 'partialsuccess']);

export async function runsOf(server: SluiceServer, flow: Dataflow): Promise<RunView[]> {
  const quiet: Call = httpClient(server, true);
  return items(await quiet<{ items?: RunView[] }>('GET', `/runs?property=flowId==${flow.id}`));
}

/** Polls GET /runs?property=flowId==… until `count` runs of the flow have ended (60 s at most). */
export async function waitForRuns(server: SluiceServer, flow: Dataflow, count: number): Promise<RunView[]> {
  say.line(`GET  /runs?property=flowId==${flow.id}  (every 0.5 s until ${count} run(s) ended)`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const runs = await runsOf(server, flow);
    const ended = runs.filter((run) => TERMINAL.has(run.metrics.statusSummary.status.toLowerCase()));
    if (ended.length >= count) {
      flow.firstRunId ??= ended.at(-1)?.id ?? '';
      return ended;
    }
    if (Date.now() > deadline) throw new Error(`${flow.label}: ${count} run(s) did not end within 60 s`);
    await sleep(500);
  }
}

const instant = (ms: number | null | undefined): string =>
  ms === null || ms === undefined ? 'the beginning' : new Date(ms).toISOString();

export function showRun(flow: Dataflow, run: RunView | undefined): void {
  if (run === undefined) throw new Error(`${flow.label}: no run`);
  const { statusSummary, recordSummary, durationSummary } = run.metrics;
  const window = run.activities?.[0]?.durationSummary?.extensions;
  const seconds =
    durationSummary.startedAtUTC === undefined || durationSummary.completedAtUTC === undefined
      ? '?'
      : ((durationSummary.completedAtUTC - durationSummary.startedAtUTC) / 1000).toFixed(2);
  say.line(
    `${flow.label}: run ${run.id} ${statusSummary.status}: read ${String(recordSummary.inputRecordCount ?? 0)}, landed ${String(recordSummary.outputRecordCount ?? 0)}, failed ${String(recordSummary.failedRecordCount ?? 0)}, ${seconds} s`,
  );
  say.note(`window [${instant(window?.windowStart)}, ${instant(window?.windowEnd)})`);
  const reread =
    (recordSummary.inputRecordCount ?? 0) -
    (recordSummary.outputRecordCount ?? 0) -
    (recordSummary.failedRecordCount ?? 0);
  if (reread > 0)
    say.note(
      `${String(reread)} row(s) of the overlap zone (SLUICE_RUN_OVERLAP_MS before the window) were read again and skipped: already landed`,
    );
  if (statusSummary.status.toLowerCase() !== 'success')
    throw new Error(
      `${flow.label}: run ${run.id} ended ${statusSummary.status}: ${JSON.stringify(statusSummary.errors ?? [])}`,
    );
}
