/**
 * Flow-run reads for Azure Table Storage: `planRead` (the inferred schema and the entity keys) and `read`,
 * which streams a table's window as RecordBatches.
 *
 * Guarantees of `read`:
 * - pull-based with one page ahead: a service page (`$top` = batchSize, at most 1,000, Azure's maximum) per
 *   batch the consumer asks for; the first pull requests only the first page, and from the second pull on
 *   the next page's request is in flight while the current page is processed and consumed, so memory is
 *   bounded by two pages whatever the table's size (the service's time and ours overlap);
 * - rows pass the window exactly (read-window.ts) and the whole PQL filter with SQL semantics; both are
 *   pushed down as OData where that is safe and always re-checked in memory;
 * - values are those of `preview` for the same cell: the same schema inference over the same head-of-table
 *   sample (`schemaSampleSize` entities) and the same conversion (schema.ts `cellValue`);
 * - every row carries `PartitionKey` and `RowKey` plus the requested columns; a batch never exceeds
 *   batchSize rows and is never empty;
 * - `ctx.signal` aborting rejects the pending pull with the signal's reason and ends the stream; no request
 *   is made afterwards (each page request is itself cancelled by the signal);
 * - failures are AppErrors: throttling (429/503) CONNECTOR-1503-503 with `report.retryAfterMs` when Azure
 *   said so, a dropped connection or a rejected credential CONNECTOR-1502-502, a page slower than
 *   `ctx.timeouts.exploreMs` CONNECTOR-1504-504; messages never carry the key or SAS.
 */
import { AppError } from '../../domain/errors.ts';
import type {
  AuthParams,
  ColumnSchema,
  ConnectorContext,
  ConnectorOptions,
  ReadPlan,
  ReadRequest,
  RecordBatch,
  Row,
} from '../connector.ts';
import { evaluateFilter, filterColumns, validateFilter } from '../filter.ts';
import { column } from '../values.ts';
import { describeTable, open, type AtsHooks, type Session } from './explore.ts';
import { classify, deadline, failureError } from './failures.ts';
import { toODataFilter, type ODataFilter } from './odata.ts';
import { keyRangeCheck, splitByPartitionKey } from './read-ranges.ts';
import { windowCheck } from './read-window.ts';
import { cellValue } from './schema.ts';
import type { EntityPage, RawEntity } from './sdk.ts';

export const KEY_COLUMNS = ['PartitionKey', 'RowKey'] as const;
/** Azure returns at most 1,000 entities per page. */
const MAX_PAGE = 1_000;

export async function planRead(
  params: AuthParams,
  table: string,
  ctx: ConnectorContext,
  options: ConnectorOptions,
  hooks: AtsHooks = {},
): Promise<ReadPlan> {
  const columns = await describeTable(params, table, ctx, options, hooks);
  return { columns, keyColumns: [...KEY_COLUMNS] };
}

export function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (name: string) => string | undefined } } })
    .response?.headers;
  if (typeof headers?.get !== 'function') return undefined;
  for (const [name, factor] of [
    ['retry-after-ms', 1],
    ['x-ms-retry-after-ms', 1],
    ['retry-after', 1_000],
  ] as const) {
    const text = headers.get(name);
    if (text === undefined || text.trim() === '') continue;
    const n = Number(text);
    if (Number.isFinite(n) && n >= 0) return Math.round(n * factor);
    const date = Date.parse(text);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

async function fetchPage(
  source: Pick<Session, 'connection' | 'ats'>,
  table: string,
  request: { filter?: string; top: number; continuationToken?: string },
  ctx: ConnectorContext,
): Promise<EntityPage> {
  const limit = deadline(ctx.signal, ctx.timeouts.exploreMs);
  try {
    return await source.ats.queryEntitiesPage(table, { ...request, signal: limit.signal });
  } catch (error) {
    const failure = classify(error, { deadline: limit.deadline, caller: ctx.signal });
    if (failure.kind === 'aborted') throw ctx.signal.reason;
    if (failure.kind === 'table-not-found') {
      throw new AppError(
        'CONNECTOR-1340-404',
        `Table "${table}" does not exist in the storage account at ${source.connection.endpoint}.`,
        { table },
      );
    }
    const base = failureError(
      failure,
      `reading table "${table}"`,
      source.connection.endpoint,
      ctx.timeouts.exploreMs,
    );
    const wait = failure.kind === 'busy' ? retryAfterMs(error) : undefined;
    throw wait === undefined
      ? base
      : new AppError(base.code, base.message, { ...base.report, retryAfterMs: wait });
  }
}

/** The columns a row carries: the keys, then the requested ones (all inferred columns when none). */
function outputColumns(request: ReadRequest, inferred: readonly ColumnSchema[]): ColumnSchema[] {
  const byName = new Map(inferred.map((c) => [c.name, c]));
  const names = request.columns.length === 0 ? inferred.map((c) => c.name) : request.columns;
  const result = new Map<string, ColumnSchema>();
  for (const name of [...KEY_COLUMNS, ...names]) {
    // A property absent from the sample (sparse tables) is read as the text of each value.
    result.set(name, byName.get(name) ?? column(name, 'string', { originalType: 'unsampled' }));
  }
  return [...result.values()];
}

function rowOf(entity: RawEntity, columns: readonly ColumnSchema[]): Row {
  const row: Row = {};
  for (const col of columns) row[col.name] = cellValue(entity.get(col.name), col.type);
  return row;
}

export async function* read(
  params: AuthParams,
  request: ReadRequest,
  ctx: ConnectorContext,
  options: ConnectorOptions,
  hooks: AtsHooks = {},
): AsyncGenerator<RecordBatch> {
  const { table, filter } = request;
  const top = Math.max(1, Math.min(MAX_PAGE, Math.trunc(request.batchSize)));
  // The run's plan already sampled the table; a read without one (tools, tests) samples it here.
  const inferred = request.plan?.columns ?? (await describeTable(params, table, ctx, options, hooks));
  const output = outputColumns(request, inferred);
  const window = request.window === undefined ? undefined : windowCheck(request.window, inferred);
  if (filter !== undefined) validateFilter(filter, inferred);
  const filterCols =
    filter === undefined ? [] : inferred.filter((c) => filterColumns(filter).includes(c.name));
  const pushed: ODataFilter = filter === undefined ? { exact: true } : toODataFilter(filter, inferred);
  const range = request.keyRange === undefined ? undefined : keyRangeCheck(request.keyRange);
  const rangeColumn = request.keyRange?.column ?? '';
  const parts = [window?.odata, pushed.filter, range?.odata].filter((p): p is string => p !== undefined);
  const odata = parts.length <= 1 ? parts[0] : parts.map((p) => `(${p})`).join(' and ');
  const source = await open(params, ctx, hooks);

  const requestPage = (token: string | undefined): Promise<EntityPage> => {
    const page = fetchPage(
      source,
      table,
      {
        top,
        ...(odata === undefined ? {} : { filter: odata }),
        ...(token === undefined ? {} : { continuationToken: token }),
      },
      ctx,
    );
    // Observed now, awaited later: a page that fails while the consumer holds the last batch is not an
    // unhandled rejection; the await below still throws its error, in page order.
    page.catch(() => undefined);
    return page;
  };
  // One page ahead once the consumer has asked for a second batch (a preview that stops after the first
  // costs no extra request): the next page's request is in flight while this page's rows are made and
  // consumed, so the service's time and ours overlap. At most one page waits beside the current one.
  // No request once the signal has aborted: checked before the first and after each batch was consumed.
  ctx.signal.throwIfAborted();
  let pending: Promise<EntityPage> | undefined = requestPage(undefined);
  let ahead = false;
  while (pending !== undefined) {
    const page: EntityPage = await pending;
    const token = page.continuationToken;
    pending = ahead && token !== undefined ? requestPage(token) : undefined;
    // One turn of the event loop before this page is processed: the SDK's pipeline writes the request to the
    // socket only after several asynchronous steps, which would otherwise wait for this page's rows and the
    // consumer (probe: 20 ms of consumer work a page added 1.0–1.1 s to a 50-page read without the turn,
    // 0.1–0.6 s with it).
    if (pending !== undefined) await new Promise((resolve) => setImmediate(resolve));
    const rows: Row[] = [];
    // Each row's share of the page's JSON text: what the service sent for it.
    const share = page.entities.length === 0 ? 0 : page.bytes / page.entities.length;
    let bytes = 0;
    for (const entity of page.entities) {
      if (window !== undefined && !window.accepts(entity)) continue;
      if (range !== undefined && !range.accepts(entity.get(rangeColumn)?.value ?? '')) continue;
      if (filter !== undefined && !evaluateFilter(filter, rowOf(entity, filterCols), filterCols)) continue;
      rows.push(rowOf(entity, output));
      bytes += share;
    }
    // A page holds at most `top` entities, so a batch never exceeds batchSize.
    if (rows.length > 0) {
      yield { rows, bytes: Math.round(bytes) };
      ahead = true;
    }
    // The consumer may have been away for a while.
    ctx.signal.throwIfAborted();
    if (pending === undefined && token !== undefined) pending = requestPage(token);
  }
}

/** `splitRead`: PartitionKey ranges (read-ranges.ts), probed with the read's own page requests. */
export async function splitRead(
  params: AuthParams,
  request: ReadRequest,
  ranges: number,
  ctx: ConnectorContext,
  hooks: AtsHooks = {},
): Promise<ReadRequest[]> {
  if (ranges <= 1 || request.keyRange !== undefined) return [request];
  const source = await open(params, ctx, hooks);
  return splitByPartitionKey((page) => fetchPage(source, request.table, page, ctx), request, ranges);
}
