/**
 * Creating a dataflow is several API calls (source connection, dataset, target connection, mapping set,
 * flow). Each is reported as it happens; if one fails, the pieces already created are deleted again in
 * reverse order, and the person sees which step failed and why. Mapping sets have no DELETE in the API
 * (they are versioned documents), so an orphan set is reported as kept.
 */
import { api, ApiError, errorMessage, unwrap } from './api.ts';
import type { RecordedRequest } from './curl.ts';
import { fieldTypeOf, type DatasetField, type ExploreColumn } from './model.ts';

export const DATA_LAKE_SPEC = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';

export interface FlowPlan {
  readonly name: string;
  readonly accountId: string;
  readonly specId: string;
  readonly specVersion: string;
  readonly table: string;
  readonly columns: readonly ExploreColumn[];
  readonly filters?: unknown;
  readonly dataset: { mode: 'new'; name: string; fields: DatasetField[] } | { mode: 'existing'; id: string };
  readonly mappings: readonly { source: string; destination: string }[];
  readonly schedule: {
    frequency: string;
    interval: number;
    startTime: number;
    backfill: boolean;
    deltaColumn: string;
  };
  readonly diagnostics: boolean;
  readonly partialPercent: number | undefined;
}

export interface StepReport {
  readonly label: string;
  status: 'running' | 'done' | 'failed' | 'removed' | 'kept';
  detail?: string;
  request?: RecordedRequest;
}

type Undo = { label: string; run?: () => Promise<unknown> };

export async function createDataflow(plan: FlowPlan, report: (steps: StepReport[]) => void): Promise<string> {
  const steps: StepReport[] = [];
  const undo: Undo[] = [];
  const step = async <T>(
    label: string,
    action: () => Promise<T>,
    undoable?: (value: T) => Undo,
  ): Promise<T> => {
    const entry: StepReport = { label, status: 'running' };
    steps.push(entry);
    report([...steps]);
    try {
      const value = await action();
      entry.status = 'done';
      if (undoable) undo.push(undoable(value));
      report([...steps]);
      return value;
    } catch (error) {
      entry.status = 'failed';
      entry.detail = errorMessage(error);
      if (error instanceof ApiError && error.request !== undefined) entry.request = error.request;
      report([...steps]);
      throw error;
    }
  };

  try {
    const flowSpecs = unwrap(await api.GET('/data/foundation/flowservice/flowSpecs', {})) as {
      items?: { id: string; version: string; name: string; sourceConnectionSpecIds?: string[] }[];
    };
    const flowSpec = flowSpecs.items?.find((spec) => spec.sourceConnectionSpecIds?.includes(plan.specId));
    if (flowSpec === undefined) throw new Error('No flow spec accepts this source.');
    const del = (path: string, id: string) => async () =>
      api.DELETE(path as '/data/foundation/flowservice/sourceConnections/{id}', { params: { path: { id } } });

    const source = await step(
      'Create the source connection (POST /sourceConnections)',
      async () =>
        unwrap(
          await api.POST('/data/foundation/flowservice/sourceConnections', {
            body: {
              name: `${plan.name} source`,
              baseConnectionId: plan.accountId,
              data: { format: 'tabular' },
              params: {
                tableName: plan.table,
                columns: plan.columns,
                ...(plan.filters === undefined ? {} : { filters: plan.filters }),
              },
              connectionSpec: { id: plan.specId, version: plan.specVersion },
            } as never,
          }),
        ) as { id: string },
      (created) => ({
        label: 'source connection',
        run: del('/data/foundation/flowservice/sourceConnections/{id}', created.id),
      }),
    );

    let dataSetId: string;
    if (plan.dataset.mode === 'new') {
      const { name, fields } = plan.dataset;
      dataSetId = await step(
        'Create the dataset (POST /catalog/dataSets)',
        async () => {
          const created = unwrap(
            await api.POST('/data/foundation/catalog/dataSets', {
              body: { name, schema: { fields } } as never,
            }),
          );
          return String(created[0]).replace('@/dataSets/', '');
        },
        (id) => ({
          label: 'dataset',
          run: async () => api.DELETE('/data/foundation/catalog/dataSets/{id}', { params: { path: { id } } }),
        }),
      );
    } else {
      dataSetId = plan.dataset.id;
    }

    const target = await step(
      'Create the target connection (POST /targetConnections)',
      async () =>
        unwrap(
          await api.POST('/data/foundation/flowservice/targetConnections', {
            body: {
              name: `${plan.name} target`,
              data: { format: 'parquet_xdm' },
              params: { dataSetId },
              connectionSpec: { id: DATA_LAKE_SPEC, version: '1.0' },
            } as never,
          }),
        ) as { id: string },
      (created) => ({
        label: 'target connection',
        run: del('/data/foundation/flowservice/targetConnections/{id}', created.id),
      }),
    );

    const mapping = await step(
      'Create the mapping set (POST /conversion/mappingSets)',
      async () =>
        unwrap(
          await api.POST('/data/foundation/conversion/mappingSets', {
            body: {
              xdmSchema: dataSetId,
              xdmVersion: '1.0',
              dataSetId,
              mappings: plan.mappings.map((m) => ({
                sourceType: 'ATTRIBUTE',
                source: m.source,
                destination: m.destination,
              })),
            } as never,
          }),
        ) as { id: string },
      () => ({ label: 'mapping set' }),
    );

    const once = plan.schedule.frequency === 'once';
    const flow = await step(
      'Create the dataflow (POST /flows)',
      async () =>
        unwrap(
          await api.POST('/data/foundation/flowservice/flows', {
            body: {
              name: plan.name,
              flowSpec: { id: flowSpec.id, version: flowSpec.version },
              sourceConnectionIds: [source.id],
              targetConnectionIds: [target.id],
              transformations: [
                ...(once
                  ? []
                  : [{ name: 'Copy', params: { deltaColumn: { name: plan.schedule.deltaColumn } } }]),
                { name: 'Mapping', params: { mappingId: mapping.id, mappingVersion: 0 } },
              ],
              scheduleParams: once
                ? { startTime: String(Math.floor(plan.schedule.startTime / 1000)), frequency: 'once' }
                : {
                    startTime: String(Math.floor(plan.schedule.startTime / 1000)),
                    frequency: plan.schedule.frequency,
                    interval: String(plan.schedule.interval),
                    backfill: String(plan.schedule.backfill),
                  },
              options: {
                errorDiagnosticsEnabled: plan.diagnostics,
                ...(plan.partialPercent === undefined
                  ? {}
                  : { partialIngestionPercent: plan.partialPercent }),
              },
              // A once flow keeps its delta column for on-demand runs here (Copy is refused with once).
              ...(once ? { labels: [`deltaColumn:${plan.schedule.deltaColumn}`] } : {}),
            } as never,
          }),
        ) as { id: string },
    );
    return flow.id;
  } catch (error) {
    for (const piece of undo.reverse()) {
      const entry: StepReport = {
        label: `Remove the ${piece.label}`,
        status: piece.run === undefined ? 'kept' : 'running',
      };
      if (piece.run === undefined) entry.detail = 'the API has no delete for mapping sets; it stays, unused';
      steps.push(entry);
      report([...steps]);
      if (piece.run === undefined) continue;
      try {
        await piece.run();
        entry.status = 'removed';
      } catch (undoError) {
        entry.status = 'failed';
        entry.detail = errorMessage(undoError);
      }
      report([...steps]);
    }
    throw error;
  }
}

/** The dataset fields a new dataset gets from the explored columns (the source's own types). */
export const fieldsFromColumns = (columns: readonly ExploreColumn[]): DatasetField[] =>
  columns.map((column) => ({
    name: column.name,
    type: fieldTypeOf(column),
    ...(column.meta?.precision === undefined
      ? {}
      : { precision: column.meta.precision, scale: column.meta.scale ?? 0 }),
  }));
