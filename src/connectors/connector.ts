/**
 * The contract every source connector implements (DESIGN.md §4.1). A connector is stateless: each
 * call gets the decrypted auth params of one connection and a context carrying the abort signal,
 * timeouts, the egress policy and the extra trusted CAs. Connectors never import store, flows or api.
 */
import type { ErrorCode } from '../domain/errors.ts';
import type { ConnectionSpec } from '../domain/specs.ts';
import type { ColumnBatch } from '../domain/column-batch.ts';
import type { FilterNode } from './filter-types.ts';

export type { FilterNode } from './filter-types.ts';

/** Decrypted `auth.params` of a base connection, already validated against the auth spec. */
export type AuthParams = Readonly<Record<string, unknown>>;

import type { NormalizedType } from '../domain/types.ts';

/** Sluice's normalized column types (documented in docs/types.md). */
export type { NormalizedType } from '../domain/types.ts';

export interface XdmType {
  readonly type: 'string' | 'boolean' | 'integer' | 'number';
  readonly format?: 'date' | 'date-time' | 'byte';
}

export interface ColumnSchema {
  readonly name: string;
  readonly type: NormalizedType;
  readonly xdm: XdmType;
  /** Present for dates and timestamps, as Adobe's explore responses show. */
  readonly 'meta:xdmType'?: 'date' | 'date-time';
  /** Source-specific facts: original type, decimal precision/scale, a type conflict, nullability. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface TableRef {
  readonly type: 'table';
  readonly name: string;
  /** What the caller passes back as `object` and later as `sourceConnection.params.tableName`. */
  readonly path: string;
  readonly canPreview: boolean;
  readonly canFetchSchema: boolean;
}

/**
 * A preview or read row: keyed by column name. Values keep JSON types: strings, booleans, numbers
 * for integer/double, null. `long` and `decimal` values are always decimal strings (a JSON number
 * would lose precision), `date` is `YYYY-MM-DD`, `date-time` is ISO-8601 UTC with `Z` and up to
 * microseconds, `binary` is base64.
 */
export type Row = Record<string, string | number | boolean | null>;

export interface StageOutcome {
  readonly name: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  readonly durationMs: number;
  readonly message?: string;
}

/** The outcome of a connection test: an expected failure is a value, not an exception. */
export interface TestOutcome {
  readonly ok: boolean;
  readonly stages: readonly StageOutcome[];
  /** Set when `ok` is false: the failing stage and a message that says what to do (never a secret). */
  readonly failure?: { readonly stage: string; readonly code: ErrorCode; readonly message: string };
}

/** Decides whether Sluice may open a connection to a host; throws AppError CONNECTOR-1309-400 if not. */
export interface EgressPolicy {
  assertAllowed(host: string, port: number): Promise<void>;
}

export interface ConnectorContext {
  readonly signal: AbortSignal;
  /** Per-stage timeout of connection tests, and per-call timeout of explore/preview. */
  readonly timeouts: { readonly stageMs: number; readonly exploreMs: number };
  readonly egress: EgressPolicy;
  /** PEM certificates to trust in addition to the system roots (SLUICE_EXTRA_CA_CERTS). */
  readonly extraCaCerts: readonly string[];
}

export interface PreviewRequest {
  readonly table: string;
  /** Row cap, already validated (1..100). */
  readonly count: number;
  /** An already validated filter tree (see filter.ts), or undefined. */
  readonly filter?: FilterNode;
}

export interface PreviewResult {
  readonly columns: readonly ColumnSchema[];
  readonly rows: readonly Row[];
}

export interface SourceConnector {
  /** The connectionSpec id this connector implements. */
  readonly specId: string;
  /** Verify the credentials live, in named stages. Never throws for an expected failure. */
  test(params: AuthParams, ctx: ConnectorContext): Promise<TestOutcome>;
  /** The tables this connection can read (explore objectType=root). */
  listTables(params: AuthParams, ctx: ConnectorContext): Promise<TableRef[]>;
  /** The columns of one table (explore objectType=table). Unknown table → AppError CONNECTOR-1340-404. */
  describeTable(params: AuthParams, table: string, ctx: ConnectorContext): Promise<ColumnSchema[]>;
  /** Schema plus at most `count` rows, with the filter pushed down where the source can. */
  preview(params: AuthParams, request: PreviewRequest, ctx: ConnectorContext): Promise<PreviewResult>;
}

/** Settings a connector gets once, at creation (from config). */
export interface ConnectorOptions {
  /** Entities sampled to infer a schema where the source has none (Azure Table Storage). Default 1,000. */
  readonly schemaSampleSize: number;
}

/** One connector folder's export: its spec (catalog data) and a factory. Registered in registry.ts. */
export interface ConnectorModule {
  readonly spec: ConnectionSpec;
  create(options: ConnectorOptions): SourceConnector;
}

/** What a flow run reads: one table, some columns, the source connection's filter and the run's window. */
export interface ReadRequest {
  readonly table: string;
  /** Source column names to read; the connector always adds its key columns (see ReadPlan). */
  readonly columns: readonly string[];
  /** The source connection's row filter (already validated), ANDed with the window. */
  readonly filter?: FilterNode;
  /**
   * The incremental window on the delta column: `start <= value < end`, both ISO-8601 UTC instants.
   * `start` absent = from the beginning of history. Rows whose delta value is null are not read.
   */
  readonly window?: { readonly column: string; readonly start?: string; readonly end: string };
  /** Rows per RecordBatch (the connector may return fewer; never more). */
  readonly batchSize: number;
  /** What `planRead` found for this table in this run, so the read need not look the table up again. */
  readonly plan?: ReadPlan;
  /**
   * One range of a split read (`splitRead`): rows whose `column` (a string key) is `from <= key < to`,
   * either bound absent = unbounded. Only connectors with `splitRead` accept it.
   */
  readonly keyRange?: { readonly column: string; readonly from?: string; readonly to?: string };
}

export interface RecordBatch {
  /** The batch's rows (for a columnar batch: made from `columns` when first read). */
  readonly rows: readonly Row[];
  /**
   * The same rows column by column, when the source delivers columns (Databricks' Arrow results): a
   * consumer that can use them need not touch `rows`, so no object per row is ever made.
   */
  readonly columns?: ColumnBatch;
  /** Approximate bytes read from the source for these rows (for run metrics). */
  readonly bytes: number;
}

/** How a connector reads a table for runs: its key columns (for de-duplication) and its schema. */
export interface ReadPlan {
  readonly columns: readonly ColumnSchema[];
  /** Columns that identify a row at the source (Azure Tables: PartitionKey, RowKey); empty when none. */
  readonly keyColumns: readonly string[];
}

/**
 * Optional capabilities of flow runs. A connector without them cannot be the source of a flow.
 * Errors are AppErrors whose catalogue fault decides what the run does (src/flows/retry.ts): the source
 * asking to slow down (HTTP 429/503, Retry-After, a cluster starting) is CONNECTOR-1503-503 (throttle:
 * waited out); a refused, dropped or failed connection is 1502-502 and no answer in time 1504-504
 * (source: retried with backoff); anything the flow's owner must fix is a 4xx (client: fails at once).
 * Any other error is treated as a bug in Sluice.
 */
export interface ReadableConnector extends SourceConnector {
  /** Make the source ready for a run (Databricks: start a terminated cluster and wait). */
  prepareRead?(params: AuthParams, ctx: ConnectorContext): Promise<void>;
  planRead(params: AuthParams, table: string, ctx: ConnectorContext): Promise<ReadPlan>;
  /**
   * Stream the rows of the request in batches, with backpressure (the next batch is read only when the
   * consumer asks for it), memory bounded by `batchSize`, stopping promptly when `ctx.signal` aborts.
   */
  read(params: AuthParams, request: ReadRequest, ctx: ConnectorContext): AsyncIterable<RecordBatch>;
  /**
   * Split a read into at most `ranges` requests, for parallel streams, that partition its rows exactly:
   * every row the request reads is read by exactly one of them, whatever the source's data (the split
   * decides only how even they are). One request (the same) when the source cannot split it.
   */
  splitRead?(
    params: AuthParams,
    request: ReadRequest,
    ranges: number,
    ctx: ConnectorContext,
  ): Promise<readonly ReadRequest[]>;
}

export const isReadable = (connector: SourceConnector): connector is ReadableConnector =>
  'read' in connector && 'planRead' in connector;
