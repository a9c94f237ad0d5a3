/**
 * Flow-run reads for Databricks: `prepareRead` (start a terminated cluster, as Adobe's runs do),
 * `planRead` (DESCRIBE columns; Databricks tables have no key Sluice can rely on) and `read`, which streams
 * one window of a table as RecordBatches.
 *
 * Guarantees of `read`:
 * - one statement, `SELECT <exact casts> FROM <table> WHERE <delta> >= ? AND <delta> < ? [AND (<filter>)]`,
 *   with every value a bound parameter; the bounds are TIMESTAMP parameters (UTC, microseconds), so the
 *   comparison is the cluster's own TIMESTAMP comparison; rows whose delta value is null never match;
 * - pull-based: the driver fetches the next chunk (`maxRows` = batchSize) only when the consumer asks for
 *   the next batch, so memory is bounded by one chunk; a batch never exceeds batchSize and is never empty;
 * - values are those of `preview` for the same cell (same select expressions, same normalisation);
 * - `ctx.signal` aborting rejects the pending pull with the signal's reason at once; the statement, the
 *   session and the client are then closed in the background; ending the iteration early closes them too;
 * - failures are AppErrors (read-errors.ts): retryable ones are 1502/1503/1504, never carrying the token.
 */
import { DBSQLParameter, DBSQLParameterType } from '@databricks/sql';
import { AppError } from '../../domain/errors.ts';
import type {
  AuthParams,
  ColumnSchema,
  ConnectorContext,
  ReadPlan,
  ReadRequest,
  RecordBatch,
  Row,
} from '../connector.ts';
import { validateFilter } from '../filter.ts';
import { toIsoDateTime, toRowValue, ValueConversionError } from '../values.ts';
import { ensureClusterRunning } from './cluster.ts';
import { describeTable, qualifiedName } from './explore.ts';
import { ParamsError, parseWorkspace, type Workspace } from './params.ts';
import { readError } from './read-errors.ts';
import {
  openReadSession,
  type ArrowChunk,
  type ReadParam,
  type ReadSession,
  type ReadSessionHooks,
} from './read-session.ts';
import { sqlTarget } from './session.ts';
import { compileFilter, quoteIdent } from './sql-text.ts';
import { arrowSelectExpression, selectExpression, sparkColumn } from './spark-types.ts';
import { ColumnValueError, columnBatches } from './arrow-columns.ts';
import { batchRows, type ColumnBatch } from '../../domain/column-batch.ts';

/** How long a run waits for a terminated cluster to start (Databricks clusters take minutes). */
export const PREPARE_WAIT_MS = 20 * 60_000;

export const prepareRead = async (params: AuthParams, ctx: ConnectorContext): Promise<void> => {
  await ensureClusterRunning(params, ctx, { startIfTerminated: true, waitMs: PREPARE_WAIT_MS });
};

export const planRead = async (
  params: AuthParams,
  table: string,
  ctx: ConnectorContext,
): Promise<ReadPlan> => ({
  columns: await describeTable(params, table, ctx),
  keyColumns: [],
});

/** DESCRIBE TABLE rows up to the first blank or `#` section, as explore reads them. */
async function describe(session: ReadSession, name: string): Promise<ColumnSchema[]> {
  const columns: ColumnSchema[] = [];
  for (const row of await session.query(`DESCRIBE TABLE ${name}`)) {
    const colName = typeof row.col_name === 'string' ? row.col_name : '';
    if (colName === '' || colName.startsWith('#')) break;
    columns.push(sparkColumn(colName, typeof row.data_type === 'string' ? row.data_type : ''));
  }
  return columns;
}

/** A window bound as the TIMESTAMP parameter Databricks compares with (UTC wall clock, microseconds). */
function timestampParam(name: 'start' | 'end', value: string): DBSQLParameter {
  const iso = toIsoDateTime(value);
  if (iso === undefined) {
    throw new AppError(
      'CONNECTOR-1312-400',
      `The read window's ${name} "${value.slice(0, 40)}" is not an ISO-8601 instant.`,
    );
  }
  const [date = '', time = ''] = iso.slice(0, -1).split('T');
  return new DBSQLParameter({ type: DBSQLParameterType.TIMESTAMP, value: `${date} ${time}` });
}

function findColumn(columns: readonly ColumnSchema[], name: string, what: string): ColumnSchema {
  const found =
    columns.find((c) => c.name === name) ?? columns.find((c) => c.name.toLowerCase() === name.toLowerCase());
  if (found === undefined) {
    throw new AppError(
      'CONNECTOR-1312-400',
      `The ${what} "${name}" is not a column of the table (known: ${columns.map((c) => c.name).join(', ')}).`,
      { column: name },
    );
  }
  return found;
}

export interface Statement {
  readonly sql: string;
  readonly params: ReadParam[];
  readonly columns: ColumnSchema[];
}

/** The SELECT of a read request against the table's described columns. */
export function readStatement(
  name: string,
  request: ReadRequest,
  described: readonly ColumnSchema[],
  select: (column: ColumnSchema) => string = selectExpression,
): Statement {
  const columns =
    request.columns.length === 0
      ? [...described]
      : request.columns.map((c) => findColumn(described, c, 'column'));
  const unique = [...new Map(columns.map((c) => [c.name, c])).values()];
  const { where, params } = conditions(request, described);
  const sql =
    `SELECT ${unique.map(select).join(', ')} FROM ${name}` +
    (where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`);
  return { sql, params, columns: unique };
}

/** The delta column as the TIMESTAMP it is compared as (text or numeric columns are cast). */
function deltaValue(described: readonly ColumnSchema[], column: string): string {
  const delta = findColumn(described, column, 'delta column');
  const id = quoteIdent(delta.name);
  return delta.type === 'date-time' || delta.type === 'date' ? id : `CAST(${id} AS TIMESTAMP)`;
}

/** The WHERE conditions of a read request (window and filter), every value a bound parameter. */
function conditions(
  request: ReadRequest,
  described: readonly ColumnSchema[],
): { where: string[]; params: ReadParam[] } {
  const where: string[] = [];
  const params: ReadParam[] = [];
  const { window, filter } = request;
  if (window !== undefined) {
    const value = deltaValue(described, window.column);
    if (window.start !== undefined) {
      where.push(`${value} >= ?`);
      params.push(timestampParam('start', window.start));
    }
    where.push(`${value} < ?`);
    params.push(timestampParam('end', window.end));
  }
  if (filter !== undefined) {
    validateFilter(filter, described);
    const compiled = compileFilter(filter, described);
    where.push(compiled.sql);
    params.push(...compiled.params);
  }
  return { where, params };
}

/**
 * Up to `ranges - 1` cut instants (ISO, milliseconds) strictly inside (lo, hi], evenly spaced, strictly
 * increasing and inside the window: the windows [start, c1), [c1, c2) … [cN, end) then partition it.
 */
export function windowCuts(
  lo: number,
  hi: number,
  ranges: number,
  window: { readonly start?: string; readonly end: string },
): string[] {
  const start = window.start === undefined ? -Infinity : Date.parse(window.start);
  const end = Date.parse(window.end);
  const cuts: number[] = [];
  for (let i = 1; i < ranges; i++) {
    const cut = lo + Math.floor(((hi - lo + 1) * i) / ranges);
    if (cut > lo && cut > start && cut < end && cut > (cuts.at(-1) ?? -Infinity)) cuts.push(cut);
  }
  return cuts.map((ms) => new Date(ms).toISOString());
}

/**
 * `splitRead`: sub-windows of the delta column between the window's first and last delta value
 * (one `min`/`max` statement with the read's own conditions), evenly spaced in time. Rows per range follow
 * the rows per time span, so bursts give uneven ranges; a read without a window is not split.
 */
export async function splitRead(
  params: AuthParams,
  request: ReadRequest,
  ranges: number,
  ctx: ConnectorContext,
  hooks: ReadSessionHooks = {},
): Promise<ReadRequest[]> {
  const { window } = request;
  if (ranges <= 1 || window === undefined) return [request];
  const workspace = workspaceOf(params);
  const name = qualifiedName(workspace, request.table);
  await ctx.egress.assertAllowed(workspace.host, workspace.port);
  const target = sqlTarget(workspace, ctx);
  const fail = (error: unknown): unknown =>
    ctx.signal.aborted ? ctx.signal.reason : readError(error, workspace, target, ctx, request.table);
  let session: ReadSession | undefined;
  try {
    session = await openReadSession(
      target,
      { signal: ctx.signal, socketTimeoutMs: ctx.timeouts.exploreMs },
      hooks,
    );
    const described = request.plan ? [...request.plan.columns] : await describe(session, name);
    const value = deltaValue(described, window.column);
    const { where, params: bound } = conditions(request, described);
    const stream = await session.stream(
      `SELECT min(${value}) AS lo, max(${value}) AS hi FROM ${name} WHERE ${where.join(' AND ')}`,
      bound,
      1,
    );
    const row = (await stream.next())?.[0];
    const lo = row?.['lo'] == null ? undefined : toIsoDateTime(row['lo'] as string | Date);
    const hi = row?.['hi'] == null ? undefined : toIsoDateTime(row['hi'] as string | Date);
    if (lo === undefined || hi === undefined) return [request];
    const cuts = windowCuts(Date.parse(lo), Date.parse(hi), ranges, window);
    return [window.start, ...cuts].map((start, i) => ({
      ...request,
      window: {
        column: window.column,
        ...(start === undefined ? {} : { start }),
        end: cuts[i] ?? window.end,
      },
    }));
  } catch (error) {
    throw fail(error);
  } finally {
    if (session !== undefined) {
      if (ctx.signal.aborted) void session.close();
      else await session.close();
    }
  }
}

const misfit = (column: string, error: Error): AppError =>
  new AppError(
    'CONNECTOR-1502-502',
    `Databricks returned a value for column "${column}" that does not fit its type: ${error.message}.`,
    { column },
  );

function toRow(raw: Record<string, unknown>, columns: readonly ColumnSchema[]): { row: Row; bytes: number } {
  const row: Row = {};
  let bytes = 0;
  for (const col of columns) {
    let value: Row[string];
    try {
      value = toRowValue(col.type, raw[col.name]);
    } catch (error) {
      if (!(error instanceof ValueConversionError)) throw error;
      throw misfit(col.name, error);
    }
    row[col.name] = value;
    bytes += typeof value === 'string' ? value.length : value === null ? 1 : 8;
  }
  return { row, bytes };
}

/** Estimated source bytes of a column batch: text by its bytes, other values 8, nulls 1 (as `toRow`). */
function columnBytes(batch: ColumnBatch): number {
  let bytes = 0;
  for (const vector of batch.columns.values()) {
    const { data } = vector;
    bytes +=
      data.kind === 'utf8' || data.kind === 'bytes'
        ? (data.offsets[vector.length] ?? 0) - (data.offsets[0] ?? 0) + vector.nullCount
        : (vector.length - vector.nullCount) * 8 + vector.nullCount;
  }
  return bytes;
}

/** A RecordBatch over a column batch: its rows are made only if a consumer reads them. */
function columnarRecordBatch(columns: ColumnBatch): RecordBatch {
  let rows: Row[] | undefined;
  return {
    columns,
    bytes: columnBytes(columns),
    get rows() {
      rows ??= batchRows(columns);
      return rows;
    },
  };
}

/** The column batches of one Arrow chunk; a value the column's type refuses is CONNECTOR-1502-502. */
function* arrowBatches(
  messages: readonly Uint8Array[],
  columns: readonly ColumnSchema[],
  batchSize: number,
): Generator<RecordBatch> {
  const batches = columnBatches(messages, columns);
  for (;;) {
    let next: IteratorResult<ColumnBatch>;
    try {
      next = batches.next();
    } catch (error) {
      if (!(error instanceof ColumnValueError)) throw error;
      throw misfit(error.column, error);
    }
    if (next.done === true) return;
    const batch = next.value;
    if (batch.length <= batchSize) {
      yield columnarRecordBatch(batch);
      continue;
    }
    // A server batch larger than asked: handed on as rows, batchSize at a time.
    const rows = batchRows(batch);
    for (let at = 0; at < rows.length; at += batchSize) {
      const slice = rows.slice(at, at + batchSize);
      yield { rows: slice, bytes: Math.ceil((columnBytes(batch) * slice.length) / rows.length) };
    }
  }
}

function workspaceOf(params: AuthParams): Workspace {
  try {
    return parseWorkspace(params);
  } catch (error) {
    if (error instanceof ParamsError) throw new AppError('CONNECTOR-1312-400', error.message);
    throw error;
  }
}

export async function* read(
  params: AuthParams,
  request: ReadRequest,
  ctx: ConnectorContext,
  hooks: ReadSessionHooks = {},
): AsyncGenerator<RecordBatch> {
  const workspace = workspaceOf(params);
  const batchSize = Math.max(1, Math.trunc(request.batchSize));
  const name = qualifiedName(workspace, request.table);
  await ctx.egress.assertAllowed(workspace.host, workspace.port);
  const target = sqlTarget(workspace, ctx);
  const fail = (error: unknown): unknown =>
    ctx.signal.aborted ? ctx.signal.reason : readError(error, workspace, target, ctx, request.table);

  let session: ReadSession;
  try {
    session = await openReadSession(
      target,
      { signal: ctx.signal, socketTimeoutMs: ctx.timeouts.exploreMs },
      hooks,
    );
  } catch (error) {
    throw fail(error);
  }
  try {
    let statement: Statement;
    let next: () => Promise<Record<string, unknown>[] | undefined>;
    try {
      // The run's plan already described the table; a read without one (tests, tools) describes it here.
      const described = request.plan ? [...request.plan.columns] : await describe(session, name);
      if (described.length === 0) {
        throw new AppError('CONNECTOR-1340-404', `The table ${request.table} has no columns to read.`, {
          table: request.table,
        });
      }
      // Arrow first: the server's own batches, exact native values, no object per row.
      const columnar = readStatement(name, request, described, arrowSelectExpression);
      const arrowStream = await session.streamArrow(columnar.sql, columnar.params, batchSize);
      if (arrowStream !== undefined) {
        for (;;) {
          let chunk: ArrowChunk | undefined;
          try {
            chunk = await arrowStream.next();
          } catch (error) {
            throw fail(error);
          }
          if (chunk === undefined) return;
          yield* arrowBatches(chunk.messages, columnar.columns, batchSize);
        }
      }
      statement = readStatement(name, request, described);
      const stream = await session.stream(statement.sql, statement.params, batchSize);
      next = () => stream.next();
    } catch (error) {
      throw fail(error);
    }
    for (;;) {
      let chunk: Record<string, unknown>[] | undefined;
      try {
        chunk = await next();
      } catch (error) {
        throw fail(error);
      }
      if (chunk === undefined) return;
      // The driver may hand back more than asked (a server batch); batches still respect batchSize.
      for (let at = 0; at < chunk.length; at += batchSize) {
        const rows: Row[] = [];
        let bytes = 0;
        for (const raw of chunk.slice(at, at + batchSize)) {
          const converted = toRow(raw, statement.columns);
          rows.push(converted.row);
          bytes += converted.bytes;
        }
        yield { rows, bytes };
      }
    }
  } finally {
    // After an abort the consumer must not wait for the cluster; otherwise close before returning.
    if (ctx.signal.aborted) void session.close();
    else await session.close();
  }
}
