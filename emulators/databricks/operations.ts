/**
 * Wire-level pieces shared by the TCLIService handler: session and operation records, statuses,
 * handles, and the result-set metadata / fetch responses (column-based or Arrow).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Int64 from 'node-int64';
import T from '@databricks/sql/thrift/TCLIService_types.js';
import { ArrowEncoder, type ArrowOptions } from './arrow.ts';
import { toRowSet, toTableSchema, type ResultSource } from './results.ts';
import { fromDuckDbError, type SqlError } from './sql-error.ts';

export interface SqlStats {
  statements: string[];
  rowsFetched: number;
  fetchCalls: number;
}

export interface Session {
  key: string;
  clusterId: string;
  catalog: string;
  schema: string;
  operations: Set<string>;
}

export interface Operation {
  key: string;
  session: Session;
  type: T.TOperationType;
  state: T.TOperationState;
  error?: SqlError;
  source?: ResultSource;
  /** Re-creates the result for FETCH_FIRST after rows were already read. */
  restart: () => Promise<ResultSource>;
  fetched: number;
  /** Set when the result goes out as Arrow batches (the client can read Arrow and the emulator offers it). */
  arrow?: ArrowOptions;
  encoder?: ArrowEncoder;
}

/** USE and other column-less results have no result set; the driver would otherwise poll them forever. */
export const hasResultSet = (operation: Operation): boolean =>
  operation.source === undefined || operation.source.columns.length > 0;

export const ok = (): T.TStatus => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });
export const errorStatus = (message: string, sqlState?: string): T.TStatus =>
  new T.TStatus({
    statusCode: T.TStatusCode.ERROR_STATUS,
    errorMessage: message,
    displayMessage: message,
    ...(sqlState === undefined ? {} : { sqlState }),
  });

/** THandleIdentifier.guid must be a real UUID: the driver stringifies it. */
export const newId = (): T.THandleIdentifier =>
  new T.THandleIdentifier({
    guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    secret: randomBytes(16),
  });
export const keyOf = (id: T.THandleIdentifier | undefined): string =>
  id ? Buffer.from(id.guid).toString('hex') : '';

/** A response of the given RPC carrying only a status (used for refusals). */
export function statusOnlyResponse(method: string, status: T.TStatus): unknown {
  const Resp = (T as unknown as Record<string, new (args: object) => unknown>)[`T${method}Resp`];
  if (Resp === undefined) throw new Error(`unknown RPC ${method}`);
  if (method === 'OpenSession') {
    return new T.TOpenSessionResp({
      status,
      serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
    });
  }
  return new Resp({ status });
}

/** INVALID_HANDLE_STATUS for a session or operation that does not exist (closed, or its cluster stopped). */
export function invalidHandle(method: string, kind: 'Session' | 'Operation'): unknown {
  return statusOnlyResponse(
    method,
    new T.TStatus({
      statusCode: T.TStatusCode.INVALID_HANDLE_STATUS,
      errorMessage: `Invalid ${kind}Handle: the ${kind.toLowerCase()} does not exist or was closed.`,
      sqlState: 'HY000',
    }),
  );
}

/** The operation when its result can be read, else the response refusing it. */
export function readyOperation(
  operation: Operation | undefined,
  method: string,
): Operation | { response: unknown } {
  if (!operation) return { response: invalidHandle(method, 'Operation') };
  if (operation.error) {
    return {
      response: statusOnlyResponse(method, errorStatus(operation.error.message, operation.error.sqlState)),
    };
  }
  if (operation.state === T.TOperationState.CANCELED_STATE || !operation.source) {
    return { response: statusOnlyResponse(method, errorStatus('The operation was canceled.', 'HY008')) };
  }
  return operation;
}

function encoderOf(operation: Operation): ArrowEncoder | undefined {
  if (!operation.arrow || !operation.source) return undefined;
  operation.encoder ??= new ArrowEncoder(operation.source.columns, operation.arrow);
  return operation.encoder;
}

export function resultSetMetadata(operation: Operation): T.TGetResultSetMetadataResp {
  const encoder = encoderOf(operation);
  return new T.TGetResultSetMetadataResp({
    status: ok(),
    schema: toTableSchema(operation.source!.columns),
    resultFormat: encoder ? T.TSparkRowSetType.ARROW_BASED_SET : T.TSparkRowSetType.COLUMN_BASED_SET,
    ...(encoder ? { arrowSchema: encoder.schemaBytes } : {}),
    lz4Compressed: false,
    isStagingOperation: false,
  });
}

/** One FetchResults page: honours maxRows and FETCH_FIRST (which re-runs the statement). */
export async function fetchResults(
  operation: Operation,
  req: T.TFetchResultsReq,
  stats: SqlStats,
): Promise<unknown> {
  let source = operation.source!;
  if (req.fetchType === 1) {
    return new T.TFetchResultsResp({
      status: ok(),
      hasMoreRows: false,
      results: toRowSet([], { rowCount: 0, columns: [] }, 0),
    });
  }
  if (req.orientation === T.TFetchOrientation.FETCH_FIRST && operation.fetched > 0) {
    source.close();
    source = await operation.restart();
    operation.source = source;
    operation.fetched = 0;
  }
  const maxRows = Math.max(1, Math.min(req.maxRows.toNumber(true), 1_000_000));
  let page;
  try {
    page = await source.next(maxRows);
  } catch (error) {
    const failure = fromDuckDbError(error);
    return statusOnlyResponse('FetchResults', errorStatus(failure.message, failure.sqlState));
  }
  const start = operation.fetched;
  operation.fetched += page.rowCount;
  stats.rowsFetched += page.rowCount;
  const encoder = encoderOf(operation);
  const results = encoder
    ? new T.TRowSet({
        startRowOffset: new Int64(start),
        rows: [],
        arrowBatches:
          page.rowCount === 0
            ? []
            : [new T.TSparkArrowBatch({ batch: encoder.encode(page), rowCount: new Int64(page.rowCount) })],
      })
    : toRowSet(source.columns, page, start);
  return new T.TFetchResultsResp({ status: ok(), hasMoreRows: page.rowCount === maxRows, results });
}
