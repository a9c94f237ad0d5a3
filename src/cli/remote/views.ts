/**
 * The API's representations (Adobe's shapes) read back into what the CLI renders: a flow is the stored
 * flow without its parsed schedule (parsed again here from scheduleParams), a run spreads its counters
 * over `metrics` and its window over the copy activity (services/run-view.ts), a dataset is keyed by id.
 * Readers are lenient: a field the server did not send is left out, never invented.
 */
import type { DatasetSchema } from '../../domain/dataset.ts';
import type { Flow } from '../../domain/flow-entities.ts';
import type { RowErrorRecord, RunError, RunWindow } from '../../domain/run.ts';
import { parseSchedule } from '../../domain/schedule.ts';
import type { BatchInfo, DatasetInfo, RunInfo } from '../backend.ts';

type Json = Record<string, unknown>;

const object = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const at = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((current, key) => object(current)[key], value);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** A flow as GET /flows/{id} answers it. */
export function flowFromView(view: unknown): Flow {
  const { version: _version, runs: _runs, ...rest } = object(view);
  const flow = rest as unknown as Flow;
  let schedule: Flow['schedule'];
  try {
    schedule = parseSchedule(flow.scheduleParams);
  } catch {
    schedule = undefined; // a schedule this client cannot parse is shown as none, not an error
  }
  return { ...flow, ...(schedule === undefined ? {} : { schedule }) };
}

const MS_THRESHOLD = 100_000_000_000;
const epochMs = (value: unknown): number | undefined => {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : num(value);
  if (number === undefined || number <= 0) return undefined;
  return number >= MS_THRESHOLD ? number : number * 1000;
};

/** The window: the copy activity's extensions, else an on-demand run's params, else unknown. */
function windowOf(view: Json): RunWindow | undefined {
  const activities = Array.isArray(view['activities']) ? (view['activities'] as unknown[]) : [];
  const copy = activities.find((activity) => at(activity, 'id') === 'copyActivity');
  const extensions = at(copy, 'durationSummary', 'extensions');
  const end = num(at(extensions, 'windowEnd'));
  if (end !== undefined) {
    const start = num(at(extensions, 'windowStart'));
    // run-view.ts writes a from-the-beginning window's start as 0 (the epoch).
    return { start: start === undefined || start === 0 ? null : start, end };
  }
  const params = view['params'];
  const paramsEnd = epochMs(at(params, 'windowEndTime'));
  if (paramsEnd === undefined) return undefined;
  return { start: epochMs(at(params, 'windowStartTime')) ?? null, end: paramsEnd };
}

/** A run as GET /runs/{id} answers it. */
export function runFromView(value: unknown): RunInfo {
  const view = object(value);
  const { version: _version, providerRefId: _providerRefId, metrics, activities, ...rest } = view;
  const records = at(metrics, 'recordSummary');
  const bytes = at(metrics, 'sizeSummary');
  const duration = at(metrics, 'durationSummary');
  const list = Array.isArray(activities) ? (activities as unknown[]) : [];
  const copy = list.find((activity) => at(activity, 'id') === 'copyActivity');
  const promotion = list.find((activity) => at(activity, 'id') === 'promotionActivity');
  const errors = at(metrics, 'statusSummary', 'errors');
  const promoted = at(promotion, 'statusSummary', 'extensions');
  const samples = at(promoted, 'sampleErrors');
  const window = windowOf(view);
  return {
    ...(rest as unknown as Omit<RunInfo, 'counters' | 'errors' | 'window'>),
    ...optional('window', window),
    counters: {
      inputRecords: num(at(records, 'inputRecordCount')) ?? 0,
      outputRecords: num(at(records, 'outputRecordCount')) ?? 0,
      failedRecords: num(at(records, 'failedRecordCount')) ?? 0,
      duplicateRecords: num(at(records, 'skippedRecordCount')) ?? 0,
      inputBytes: num(at(bytes, 'inputBytes')) ?? 0,
      outputBytes: num(at(bytes, 'outputBytes')) ?? 0,
      outputFiles: num(at(metrics, 'fileSummary', 'outputFileCount')) ?? 0,
    },
    errors: Array.isArray(errors) ? (errors as RunError[]) : [],
    ...optional('startedAt', num(at(duration, 'startedAtUTC'))),
    ...optional('completedAt', num(at(duration, 'completedAtUTC'))),
    ...optional('copyCompletedAt', num(at(copy, 'durationSummary', 'completedAtUTC'))),
    ...optional('rowErrorsFile', str(at(promoted, 'manifest', 'failedRecords'))),
    ...optional('rowErrorSamples', Array.isArray(samples) ? (samples as RowErrorRecord[]) : undefined),
  };
}

/** One entry of a Catalog answer keyed by id ({ "<id>": {...} }). */
export function datasetFromView(id: string, value: unknown): DatasetInfo {
  const view = object(value);
  const schemaRef = object(view['schemaRef']);
  return {
    id,
    name: str(view['name']) ?? id,
    ...optional('description', str(view['description'])),
    schema: (Array.isArray(at(view, 'schema', 'fields')) ? view['schema'] : { fields: [] }) as DatasetSchema,
    ...optional(
      'schemaRef',
      typeof schemaRef['id'] === 'string'
        ? {
            id: schemaRef['id'],
            ...optional('contentType', str(schemaRef['contentType'])),
          }
        : undefined,
    ),
    created: num(view['created']) ?? 0,
  };
}

export function batchFromView(id: string, value: unknown): BatchInfo {
  const view = object(value);
  return {
    id,
    status: str(view['status']) ?? '',
    records: num(at(view, 'metrics', 'recordsWritten')) ?? 0,
    bytes: num(at(view, 'metrics', 'outputByteSize')) ?? 0,
    files: num(at(view, 'metrics', 'outputFileCount')) ?? 0,
    completed: num(view['completed']) ?? null,
  };
}
