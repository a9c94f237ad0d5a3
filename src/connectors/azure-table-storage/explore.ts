/**
 * Explore and preview for Azure Table Storage: list tables, infer a table's schema from a bounded
 * sample, and preview rows with the PQL filter pushed down as OData where that is safe.
 *
 * Guarantees:
 * - every call is bounded in time (`ctx.timeouts.exploreMs`, one deadline for the whole call) and in
 *   entities read: the schema sample reads at most `schemaSampleSize` entities, and a filtered preview
 *   scans at most MAX_SCANNED_ENTITIES more, stopping as soon as `count` rows matched;
 * - a preview's rows pass the whole PQL filter with SQL semantics, whatever was pushed down;
 * - failures are AppErrors: unknown table CONNECTOR-1340-404, source trouble 1502/1503, timeout 1504,
 *   egress refused 1309; messages never carry the key or SAS.
 */
import { AppError, isAppError } from '../../domain/errors.ts';
import type {
  AuthParams,
  ColumnSchema,
  ConnectorContext,
  ConnectorOptions,
  PreviewRequest,
  PreviewResult,
  TableRef,
} from '../connector.ts';
import { evaluateFilter, validateFilter } from '../filter.ts';
import { parseConnectionString, type ParsedConnectionString } from './connection-string.ts';
import { classify, deadline, failureError, untilAborted } from './failures.ts';
import { toODataFilter } from './odata.ts';
import { inferColumns, toRow } from './schema.ts';
import { openAts, type Ats, type RawEntity } from './sdk.ts';

/** Entities a filtered preview may scan beyond the schema sample before it returns what it found. */
export const MAX_SCANNED_ENTITIES = 10_000;
const PAGE = 1_000;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

export interface AtsHooks {
  /** Observes each entity page Azure returned (tests prove that reads are bounded). */
  readonly onEntityPage?: (entities: number) => void;
  /** Overrides MAX_SCANNED_ENTITIES (tests prove the bound without a 10,000-entity table). */
  readonly maxScannedEntities?: number;
}

export interface Session {
  readonly connection: ParsedConnectionString;
  readonly ats: Ats;
  readonly ctx: ConnectorContext;
  readonly signal: AbortSignal;
  readonly deadline: AbortSignal;
}

/**
 * Parse the connection string, check the egress policy (bounded by the explore timeout) and open the SDK
 * seam; explore calls and flow reads share it. The SDK retries a failed page (honouring Retry-After) twice.
 */
export async function open(params: AuthParams, ctx: ConnectorContext, hooks: AtsHooks): Promise<Session> {
  const parsed = parseConnectionString(params.connectionString);
  if (!parsed.ok) {
    throw new AppError(
      'CONNECTOR-1308-400',
      `The connection's connection string cannot be used: ${parsed.message}`,
    );
  }
  const connection = parsed.value;
  const limit = deadline(ctx.signal, ctx.timeouts.exploreMs);
  try {
    await untilAborted(ctx.egress.assertAllowed(connection.host, connection.port), limit.signal);
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (limit.deadline.aborted) {
      throw failureError(
        { kind: 'timeout' },
        'checking the egress policy',
        connection.endpoint,
        ctx.timeouts.exploreMs,
      );
    }
    throw error;
  }
  const ats = openAts(connection, {
    extraCaCerts: ctx.extraCaCerts,
    maxRetries: 2,
    ...(hooks.onEntityPage === undefined ? {} : { onEntityPage: hooks.onEntityPage }),
  });
  return { connection, ats, ctx, signal: limit.signal, deadline: limit.deadline };
}

async function call<T>(
  s: Session,
  what: string,
  table: string | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isAppError(error)) throw error;
    const failure = classify(error, { deadline: s.deadline, caller: s.ctx.signal });
    if (failure.kind === 'aborted') throw s.ctx.signal.reason;
    if (failure.kind === 'table-not-found' && table !== undefined)
      throw tableNotFound(table, s.connection.endpoint);
    throw failureError(failure, what, s.connection.endpoint, s.ctx.timeouts.exploreMs);
  }
}

function tableNotFound(table: string, endpoint: string): AppError {
  const shown = table.slice(0, 100);
  const why = TABLE_NAME.test(table)
    ? ''
    : ' (Azure table names are 3-63 letters and digits, starting with a letter)';
  return new AppError(
    'CONNECTOR-1340-404',
    `Table "${shown}" does not exist in the storage account at ${endpoint}${why}.`,
    {
      table: shown,
    },
  );
}

export async function listTables(
  params: AuthParams,
  ctx: ConnectorContext,
  hooks: AtsHooks = {},
): Promise<TableRef[]> {
  const s = await open(params, ctx, hooks);
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await call(s, 'listing tables', undefined, () =>
      s.ats.listTablesPage({
        top: PAGE,
        signal: s.signal,
        ...(token === undefined ? {} : { continuationToken: token }),
      }),
    );
    names.push(...page.names);
    token = page.continuationToken;
  } while (token !== undefined);
  return names.map((name) => ({ type: 'table', name, path: name, canPreview: true, canFetchSchema: true }));
}

interface Sample {
  readonly entities: readonly RawEntity[];
  /** The sample is the whole table. */
  readonly complete: boolean;
}

async function readSample(s: Session, table: string, size: number): Promise<Sample> {
  if (!TABLE_NAME.test(table)) throw tableNotFound(table, s.connection.endpoint);
  const entities: RawEntity[] = [];
  let token: string | undefined;
  do {
    const top = Math.min(PAGE, size - entities.length);
    const page = await call(s, `reading table "${table}"`, table, () =>
      s.ats.queryEntitiesPage(table, {
        top,
        signal: s.signal,
        ...(token === undefined ? {} : { continuationToken: token }),
      }),
    );
    entities.push(...page.entities.slice(0, size - entities.length));
    token = page.continuationToken;
  } while (token !== undefined && entities.length < size);
  return { entities, complete: token === undefined };
}

export async function describeTable(
  params: AuthParams,
  table: string,
  ctx: ConnectorContext,
  options: ConnectorOptions,
  hooks: AtsHooks = {},
): Promise<ColumnSchema[]> {
  const s = await open(params, ctx, hooks);
  const sample = await readSample(s, table, options.schemaSampleSize);
  return inferColumns(sample.entities);
}

const keyOf = (e: RawEntity): string =>
  `${e.get('PartitionKey')?.value ?? ''}\u0000${e.get('RowKey')?.value ?? ''}`;

export async function preview(
  params: AuthParams,
  request: PreviewRequest,
  ctx: ConnectorContext,
  options: ConnectorOptions,
  hooks: AtsHooks = {},
): Promise<PreviewResult> {
  const { table, count, filter } = request;
  const s = await open(params, ctx, hooks);
  // The sample doubles as the unfiltered preview, so it is at least `count` entities long.
  const sample = await readSample(s, table, Math.max(options.schemaSampleSize, count));
  const columns = inferColumns(sample.entities);
  if (filter === undefined) {
    return { columns, rows: sample.entities.slice(0, count).map((e) => toRow(e, columns)) };
  }
  validateFilter(filter, columns);
  const passes = (e: RawEntity): boolean => evaluateFilter(filter, toRow(e, columns), columns);
  // The sample is the head of the table: rows matching there are the first matches in table order.
  const matches = sample.entities.filter(passes).slice(0, count);
  if (matches.length < count && !sample.complete) {
    const seen = new Set(matches.map(keyOf));
    const pushed = toODataFilter(filter, columns);
    let token: string | undefined;
    const maxScanned = hooks.maxScannedEntities ?? MAX_SCANNED_ENTITIES;
    let scanned = 0;
    do {
      const top = Math.min(PAGE, pushed.exact ? count + seen.size : maxScanned - scanned);
      const page = await call(s, `reading table "${table}"`, table, () =>
        s.ats.queryEntitiesPage(table, {
          top,
          signal: s.signal,
          ...(pushed.filter === undefined ? {} : { filter: pushed.filter }),
          ...(token === undefined ? {} : { continuationToken: token }),
        }),
      );
      scanned += page.entities.length;
      for (const entity of page.entities) {
        if (matches.length >= count) break;
        if (!seen.has(keyOf(entity)) && passes(entity)) matches.push(entity);
      }
      token = page.continuationToken;
    } while (token !== undefined && matches.length < count && scanned < maxScanned);
  }
  // Rows found beyond the sample may add properties or types; the schema returned covers them too.
  const seenKeys = new Set(sample.entities.map(keyOf));
  const beyond = matches.filter((e) => !seenKeys.has(keyOf(e)));
  const finalColumns = beyond.length === 0 ? columns : inferColumns([...sample.entities, ...beyond]);
  return { columns: finalColumns, rows: matches.map((e) => toRow(e, finalColumns)) };
}
