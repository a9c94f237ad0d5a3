/**
 * The TCLIService handler: sessions, operations and their results. Statements run when
 * ExecuteStatement arrives; a SQL error becomes the operation's ERROR_STATE (with Databricks'
 * error class, sqlState and displayMessage), which the driver raises as OperationStateError when the
 * caller waits for or fetches the result. Cluster problems are answered as an ERROR_STATUS on
 * every call, which the driver raises as StatusError with our message.
 */
import Int64 from 'node-int64';
import T from '@databricks/sql/thrift/TCLIService_types.js';
import type { ArrowOptions } from './arrow.ts';
import type { Engine } from './engine.ts';
import * as meta from './metadata.ts';
import {
  errorStatus,
  fetchResults,
  hasResultSet,
  invalidHandle,
  keyOf,
  newId,
  ok,
  readyOperation,
  resultSetMetadata,
  statusOnlyResponse,
  type Operation,
  type Session,
  type SqlStats,
} from './operations.ts';
import { StaticResultSource, type ResultSource } from './results.ts';
import { fromDuckDbError } from './sql-error.ts';
import { runStatement } from './statements.ts';

export { errorStatus, statusOnlyResponse, type SqlStats } from './operations.ts';

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
      GetResultSetMetadata: (req: T.TGetResultSetMetadataReq) => {
        const operation = readyOperation(this.operation(req.operationHandle), 'GetResultSetMetadata');
        return Promise.resolve('response' in operation ? operation.response : resultSetMetadata(operation));
      },
      FetchResults: (req: T.TFetchResultsReq) => {
        this.stats.fetchCalls++;
        const operation = readyOperation(this.operation(req.operationHandle), 'FetchResults');
        return 'response' in operation
          ? Promise.resolve(operation.response)
          : fetchResults(operation, req, this.stats);
      },
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

  private operation(handle: T.TOperationHandle): Operation | undefined {
    return this.operations.get(keyOf(handle.operationId));
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
    if (!session || session.clusterId !== clusterId) return invalidHandle(method, 'Session');
    const operationHandle = await this.startOperation(session, type, run);
    const Resp = (T as unknown as Record<string, new (args: object) => unknown>)[`T${method}Resp`]!;
    return new Resp({ status: ok(), operationHandle });
  }

  private async executeStatement(clusterId: string, req: T.TExecuteStatementReq): Promise<unknown> {
    const session = this.session(req.sessionHandle);
    if (!session || session.clusterId !== clusterId) return invalidHandle('ExecuteStatement', 'Session');
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
      () => runStatement(this.engine, session, req.statement, parameters),
      arrow,
    );
    return new T.TExecuteStatementResp({ status: ok(), operationHandle });
  }

  private getOperationStatus(req: T.TGetOperationStatusReq): T.TGetOperationStatusResp {
    const operation = this.operations.get(keyOf(req.operationHandle.operationId));
    if (!operation) return invalidHandle('GetOperationStatus', 'Operation') as T.TGetOperationStatusResp;
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
}
