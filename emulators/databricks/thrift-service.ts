/**
 * The TCLIService handler: sessions, operations and their results. Statements run when
 * ExecuteStatement arrives; a SQL error becomes the operation's ERROR_STATE (with Databricks'
 * error class, sqlState and displayMessage), which the driver raises as OperationStateError when the
 * caller waits for or fetches the result. Cluster problems are answered as an ERROR_STATUS on
 * every call, which the driver raises as StatusError with our message.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Int64 from 'node-int64';
import T from '@databricks/sql/thrift/TCLIService_types.js';
import { ArrowEncoder, type ArrowOptions } from './arrow.ts';
import type { Engine } from './engine.ts';
import * as meta from './metadata.ts';
import { bindParameters } from './params.ts';
import {
  DuckResultSource,
  StaticResultSource,
  toRowSet,
  toTableSchema,
  type ResultSource,
} from './results.ts';
import { fromDuckDbError, SqlError } from './sql-error.ts';
import { translate } from './translate.ts';

export interface SqlStats {
  statements: string[];
  rowsFetched: number;
  fetchCalls: number;
}

interface Session {
  key: string;
  clusterId: string;
  catalog: string;
  schema: string;
  operations: Set<string>;
}

interface Operation {
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
const hasResultSet = (operation: Operation): boolean =>
  operation.source === undefined || operation.source.columns.length > 0;

const ok = (): T.TStatus => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });
export const errorStatus = (message: string, sqlState?: string): T.TStatus =>
  new T.TStatus({
    statusCode: T.TStatusCode.ERROR_STATUS,
    errorMessage: message,
    displayMessage: message,
    ...(sqlState === undefined ? {} : { sqlState }),
  });

/** THandleIdentifier.guid must be a real UUID: the driver stringifies it. */
const newId = (): T.THandleIdentifier =>
  new T.THandleIdentifier({
    guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    secret: randomBytes(16),
  });
const keyOf = (id: T.THandleIdentifier | undefined): string =>
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

export class ThriftService {
  private readonly sessions = new Map<string, Session>();
  private readonly operations = new Map<string, Operation>();
  private readonly engine: Engine;
  private readonly stats: SqlStats;
  private readonly offerArrow: boolean;

  constructor(engine: Engine, stats: SqlStats, options: { arrow?: boolean } = {}) {
    this.engine = engine;
    this.stats = stats;
    this.offerArrow = options.arrow ?? false;
  }

  /** Drops every session of a cluster (it stopped): later calls with those handles are invalid. */
  dropSessions(clusterId: string): void {
    for (const session of [...this.sessions.values()]) {
      if (session.clusterId === clusterId) this.closeSession(session);
    }
  }

  closeAll(): void {
    for (const session of [...this.sessions.values()]) this.closeSession(session);
  }

  private closeSession(session: Session): void {
    for (const key of session.operations) this.closeOperation(key);
    this.sessions.delete(session.key);
  }

  private closeOperation(key: string): void {
    const operation = this.operations.get(key);
    operation?.source?.close();
    operation?.session.operations.delete(key);
    this.operations.delete(key);
  }

  /** The handler object for the generated Processor, bound to the cluster the request addressed. */
  handlerFor(clusterId: string): Record<string, (req: never) => Promise<unknown>> {
    return {
      OpenSession: (req: T.TOpenSessionReq) => Promise.resolve(this.openSession(clusterId, req)),
      CloseSession: (req: T.TCloseSessionReq) => {
        const session = this.sessions.get(keyOf(req.sessionHandle.sessionId));
        if (session) this.closeSession(session);
        return Promise.resolve(new T.TCloseSessionResp({ status: ok() }));
      },
      GetInfo: (req: T.TGetInfoReq) => Promise.resolve(this.getInfo(req)),
      ExecuteStatement: (req: T.TExecuteStatementReq) => this.executeStatement(clusterId, req),
      GetTypeInfo: (req: T.TGetTypeInfoReq) =>
        this.metadataOperation(
          'GetTypeInfo',
          clusterId,
          req.sessionHandle,
          T.TOperationType.GET_TYPE_INFO,
          () => Promise.resolve(new StaticResultSource([], [])),
        ),
      GetCatalogs: (req: T.TGetCatalogsReq) =>
        this.metadataOperation(
          'GetCatalogs',
          clusterId,
          req.sessionHandle,
          T.TOperationType.GET_CATALOGS,
          () => meta.getCatalogs(this.engine),
        ),
      GetSchemas: (req: T.TGetSchemasReq) =>
        this.metadataOperation('GetSchemas', clusterId, req.sessionHandle, T.TOperationType.GET_SCHEMAS, () =>
          meta.getSchemas(this.engine, req.catalogName ?? undefined, req.schemaName ?? undefined),
        ),
      GetTables: (req: T.TGetTablesReq) =>
        this.metadataOperation('GetTables', clusterId, req.sessionHandle, T.TOperationType.GET_TABLES, () =>
          meta.getTables(
            this.engine,
            req.catalogName ?? undefined,
            req.schemaName ?? undefined,
            req.tableName ?? undefined,
            req.tableTypes ?? undefined,
          ),
        ),
      GetTableTypes: (req: T.TGetTableTypesReq) =>
        this.metadataOperation(
          'GetTableTypes',
          clusterId,
          req.sessionHandle,
          T.TOperationType.GET_TABLE_TYPES,
          () =>
            Promise.resolve(
              new StaticResultSource(
                [
                  {
                    name: 'TABLE_TYPE',
                    type: { typeId: T.TTypeId.STRING_TYPE, wire: 'string' },
                    typeName: 'string',
                  },
                ],
                [['TABLE'], ['VIEW']],
              ),
            ),
        ),
      GetColumns: (req: T.TGetColumnsReq) =>
        this.metadataOperation('GetColumns', clusterId, req.sessionHandle, T.TOperationType.GET_COLUMNS, () =>
          meta.getColumns(
            this.engine,
            req.catalogName ?? undefined,
            req.schemaName ?? undefined,
            req.tableName ?? undefined,
            req.columnName ?? undefined,
          ),
        ),
      GetFunctions: (req: T.TGetFunctionsReq) =>
        this.metadataOperation(
          'GetFunctions',
          clusterId,
          req.sessionHandle,
          T.TOperationType.GET_FUNCTIONS,
          () => Promise.resolve(new StaticResultSource([], [])),
        ),
      GetPrimaryKeys: (req: T.TGetPrimaryKeysReq) =>
        this.metadataOperation(
          'GetPrimaryKeys',
          clusterId,
          req.sessionHandle,
          T.TOperationType.GET_FUNCTIONS,
          () => Promise.resolve(new StaticResultSource([], [])),
        ),
      GetCrossReference: (req: T.TGetCrossReferenceReq) =>
        this.metadataOperation(
          'GetCrossReference',
          clusterId,
          req.sessionHandle,
          T.TOperationType.GET_FUNCTIONS,
          () => Promise.resolve(new StaticResultSource([], [])),
        ),
      GetOperationStatus: (req: T.TGetOperationStatusReq) => Promise.resolve(this.getOperationStatus(req)),
      CancelOperation: (req: T.TCancelOperationReq) => {
        const operation = this.operations.get(keyOf(req.operationHandle.operationId));
        if (operation) {
          operation.source?.close();
          operation.state = T.TOperationState.CANCELED_STATE;
        }
        return Promise.resolve(new T.TCancelOperationResp({ status: ok() }));
      },
      CloseOperation: (req: T.TCloseOperationReq) => {
        this.closeOperation(keyOf(req.operationHandle.operationId));
        return Promise.resolve(new T.TCloseOperationResp({ status: ok() }));
      },
      GetResultSetMetadata: (req: T.TGetResultSetMetadataReq) =>
        Promise.resolve(this.getResultSetMetadata(req)),
      FetchResults: (req: T.TFetchResultsReq) => this.fetchResults(req),
      GetDelegationToken: () =>
        Promise.resolve(statusOnlyResponse('GetDelegationToken', errorStatus('Not supported.'))),
      CancelDelegationToken: () =>
        Promise.resolve(statusOnlyResponse('CancelDelegationToken', errorStatus('Not supported.'))),
      RenewDelegationToken: () =>
        Promise.resolve(statusOnlyResponse('RenewDelegationToken', errorStatus('Not supported.'))),
    };
  }

  private openSession(clusterId: string, req: T.TOpenSessionReq): T.TOpenSessionResp {
    const key = newId();
    const session: Session = {
      key: keyOf(key),
      clusterId,
      catalog: req.initialNamespace?.catalogName ?? this.engine.defaultCatalog,
      schema: req.initialNamespace?.schemaName ?? this.engine.defaultSchema,
      operations: new Set(),
    };
    this.sessions.set(session.key, session);
    return new T.TOpenSessionResp({
      status: ok(),
      serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
      sessionHandle: new T.TSessionHandle({ sessionId: key }),
      canUseMultipleCatalogs: true,
      initialNamespace: new T.TNamespace({ catalogName: session.catalog, schemaName: session.schema }),
      configuration: {},
    });
  }

  private getInfo(req: T.TGetInfoReq): T.TGetInfoResp {
    const values: Partial<Record<T.TGetInfoType, string>> = {
      [T.TGetInfoType.CLI_SERVER_NAME]: 'Spark SQL',
      [T.TGetInfoType.CLI_DBMS_NAME]: 'Spark SQL',
      [T.TGetInfoType.CLI_DBMS_VER]: '3.5.0',
    };
    return new T.TGetInfoResp({
      status: ok(),
      infoValue: new T.TGetInfoValue({ stringValue: values[req.infoType] ?? '' }),
    });
  }

  private session(handle: T.TSessionHandle | undefined): Session | undefined {
    return this.sessions.get(keyOf(handle?.sessionId));
  }

  private invalidSession(method: string): unknown {
    return statusOnlyResponse(
      method,
      new T.TStatus({
        statusCode: T.TStatusCode.INVALID_HANDLE_STATUS,
        errorMessage: 'Invalid SessionHandle: the session does not exist or was closed.',
        sqlState: 'HY000',
      }),
    );
  }

  private async startOperation(
    session: Session,
    type: T.TOperationType,
    run: () => Promise<ResultSource>,
    arrow?: ArrowOptions,
  ): Promise<T.TOperationHandle> {
    const id = newId();
    const operation: Operation = {
      key: keyOf(id),
      session,
      type,
      state: T.TOperationState.RUNNING_STATE,
      restart: run,
      fetched: 0,
      ...(arrow ? { arrow } : {}),
    };
    this.operations.set(operation.key, operation);
    session.operations.add(operation.key);
    try {
      operation.source = await run();
      operation.state = T.TOperationState.FINISHED_STATE;
    } catch (error) {
      operation.error = fromDuckDbError(error);
      operation.state = T.TOperationState.ERROR_STATE;
    }
    return new T.TOperationHandle({
      operationId: id,
      operationType: type,
      hasResultSet: hasResultSet(operation),
    });
  }

  private async metadataOperation(
    method: string,
    clusterId: string,
    handle: T.TSessionHandle,
    type: T.TOperationType,
    run: () => Promise<ResultSource>,
  ): Promise<unknown> {
    const session = this.session(handle);
    if (!session || session.clusterId !== clusterId) return this.invalidSession(method);
    const operationHandle = await this.startOperation(session, type, run);
    const Resp = (T as unknown as Record<string, new (args: object) => unknown>)[`T${method}Resp`]!;
    return new Resp({ status: ok(), operationHandle });
  }

  private async executeStatement(clusterId: string, req: T.TExecuteStatementReq): Promise<unknown> {
    const session = this.session(req.sessionHandle);
    if (!session || session.clusterId !== clusterId) return this.invalidSession('ExecuteStatement');
    this.stats.statements.push(req.statement);
    const parameters = req.parameters ?? [];
    const native = req.useArrowNativeTypes;
    const arrow =
      this.offerArrow && req.canReadArrowResult === true
        ? {
            timestampAsArrow: native?.timestampAsArrow === true,
            decimalAsArrow: native?.decimalAsArrow === true,
          }
        : undefined;
    const operationHandle = await this.startOperation(
      session,
      T.TOperationType.EXECUTE_STATEMENT,
      () => this.runStatement(session, req.statement, parameters),
      arrow,
    );
    return new T.TExecuteStatementResp({ status: ok(), operationHandle });
  }

  private async runStatement(
    session: Session,
    statement: string,
    parameters: T.TSparkParameter[],
  ): Promise<ResultSource> {
    let command;
    try {
      command = translate(statement);
    } catch (error) {
      throw new SqlError(`[PARSE_SYNTAX_ERROR] ${(error as Error).message} SQLSTATE: 42601`, '42601');
    }
    const current = { catalog: session.catalog, schema: session.schema };
    switch (command.kind) {
      case 'use': {
        const catalog =
          command.catalog === undefined
            ? session.catalog
            : await meta.requireCatalog(this.engine, command.catalog);
        const schemas = await this.engine.listSchemas(catalog);
        const schema =
          command.schema === undefined
            ? ((schemas.find((s) => s.schema === 'default') ?? schemas[0])?.schema ?? 'default')
            : await meta.requireSchema(this.engine, catalog, command.schema);
        session.catalog = catalog;
        session.schema = schema;
        return new StaticResultSource([], []);
      }
      case 'showCatalogs':
        return meta.showCatalogs(this.engine, command.pattern);
      case 'showSchemas':
        return meta.showSchemas(this.engine, command.catalog ?? session.catalog, command.pattern);
      case 'showTables':
        return meta.showTables(
          this.engine,
          command.catalog ?? session.catalog,
          command.schema ?? session.schema,
          command.pattern,
        );
      case 'describe':
        return meta.describeTable(this.engine, command.name, current, command.extended);
      case 'sql': {
        const connection = await this.engine.connect(session.catalog, session.schema);
        try {
          const prepared = await connection.prepare(command.sql);
          bindParameters(prepared, parameters);
          const result = await prepared.stream();
          return new DuckResultSource(result, connection);
        } catch (error) {
          connection.closeSync();
          throw fromDuckDbError(error, command.sql);
        }
      }
    }
  }

  private getOperationStatus(req: T.TGetOperationStatusReq): T.TGetOperationStatusResp {
    const operation = this.operations.get(keyOf(req.operationHandle.operationId));
    if (!operation) return this.invalidOperation('GetOperationStatus') as T.TGetOperationStatusResp;
    const error = operation.error;
    return new T.TGetOperationStatusResp({
      status: ok(),
      operationState: operation.state,
      hasResultSet: hasResultSet(operation),
      ...(error
        ? {
            errorMessage: error.message,
            displayMessage: error.message,
            sqlState: error.sqlState,
            errorCode: 0,
          }
        : {}),
      operationStarted: new Int64(Date.now()),
      operationCompleted: new Int64(Date.now()),
    });
  }

  private invalidOperation(method: string): unknown {
    return statusOnlyResponse(
      method,
      new T.TStatus({
        statusCode: T.TStatusCode.INVALID_HANDLE_STATUS,
        errorMessage: 'Invalid OperationHandle: the operation does not exist or was closed.',
        sqlState: 'HY000',
      }),
    );
  }

  private readyOperation(handle: T.TOperationHandle, method: string): Operation | { response: unknown } {
    const operation = this.operations.get(keyOf(handle.operationId));
    if (!operation) return { response: this.invalidOperation(method) };
    if (operation.error)
      return {
        response: statusOnlyResponse(method, errorStatus(operation.error.message, operation.error.sqlState)),
      };
    if (operation.state === T.TOperationState.CANCELED_STATE || !operation.source) {
      return { response: statusOnlyResponse(method, errorStatus('The operation was canceled.', 'HY008')) };
    }
    return operation;
  }

  private getResultSetMetadata(req: T.TGetResultSetMetadataReq): unknown {
    const operation = this.readyOperation(req.operationHandle, 'GetResultSetMetadata');
    if ('response' in operation) return operation.response;
    const encoder = this.encoderOf(operation);
    return new T.TGetResultSetMetadataResp({
      status: ok(),
      schema: toTableSchema(operation.source!.columns),
      resultFormat: encoder ? T.TSparkRowSetType.ARROW_BASED_SET : T.TSparkRowSetType.COLUMN_BASED_SET,
      ...(encoder ? { arrowSchema: encoder.schemaBytes } : {}),
      lz4Compressed: false,
      isStagingOperation: false,
    });
  }

  private encoderOf(operation: Operation): ArrowEncoder | undefined {
    if (!operation.arrow || !operation.source) return undefined;
    operation.encoder ??= new ArrowEncoder(operation.source.columns, operation.arrow);
    return operation.encoder;
  }

  private async fetchResults(req: T.TFetchResultsReq): Promise<unknown> {
    this.stats.fetchCalls++;
    const operation = this.readyOperation(req.operationHandle, 'FetchResults');
    if ('response' in operation) return operation.response;
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
    this.stats.rowsFetched += page.rowCount;
    const encoder = this.encoderOf(operation);
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
}
