/**
 * Explore and preview (flow-service-api.md §3.3): list a connection's tables, describe one, and sample
 * its rows with an optional PQL filter pushed down by the connector. Every call is bounded in time by the
 * connector runtime; unknown source failures become a retryable 502 without the source's raw message
 * (it could quote credentials).
 */
import type { ColumnSchema, PreviewResult, TableRef } from '../connectors/connector.ts';
import { decodeFilterParameter, validateFilter } from '../connectors/filter.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import { assertKnownParams } from '../domain/listing.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { adobeColumnType } from '../domain/types.ts';
import type { ConnectionService } from './connections.ts';
import type { ConnectorRuntime } from '../connectors/runtime.ts';

export const PREVIEW_DEFAULT_COUNT = 10;
export const PREVIEW_MAX_COUNT = 100;

/**
 * A column as explore answers it, in Adobe's shape (reference §3.3): `type` is `string` for dates and
 * timestamps, which `meta:xdmType` and `xdm.format` mark; other types keep Sluice's normalized name.
 */
export type ExploreColumn = Omit<ColumnSchema, 'type'> & { readonly type: string };

export type ExploreResult =
  | TableRef[]
  | { format: 'flat'; schema: { columns: ExploreColumn[] } }
  | { format: 'flat'; schema: { columns: ExploreColumn[] }; data: PreviewResult['rows'] };

export const exploreColumn = (column: ColumnSchema): ExploreColumn => ({
  ...column,
  type: adobeColumnType(column.type),
});

export interface ExploreRequest {
  readonly objectType: 'root' | 'table';
  readonly object?: string;
  readonly preview: boolean;
  readonly count: number;
  readonly filters?: string;
}

export interface ExploreService {
  explore(tenant: Tenant, connectionId: string, request: ExploreRequest): Promise<ExploreResult>;
  /** A table's live columns with Sluice's normalized types (for "create the schema from this table"). */
  // A property, not a method: the composition root hands it to the Schema Registry as a function.
  readonly describeTable: (tenant: Tenant, connectionId: string, table: string) => Promise<ColumnSchema[]>;
}

const one = (query: Record<string, unknown>, name: string): string | undefined => {
  const value = query[name];
  if (Array.isArray(value))
    throw new AppError('FLOW-1401-400', `The query parameter '${name}' may be given only once.`);
  return typeof value === 'string' || value === undefined ? value : JSON.stringify(value);
};

/** Parse explore's query string strictly: each mistake gets its own code. */
export function parseExploreQuery(query: Record<string, unknown>): ExploreRequest {
  assertKnownParams(query, ['objectType', 'object', 'preview', 'count', 'filters']);
  const objectTypeRaw = one(query, 'objectType');
  if (objectTypeRaw === undefined || objectTypeRaw === '') {
    throw new AppError(
      'CONNECTOR-1337-400',
      'The objectType cannot be empty; use objectType=root to list tables or objectType=table&object=<path>.',
    );
  }
  const objectType = objectTypeRaw.toLowerCase();
  if (objectType !== 'root' && objectType !== 'table') {
    throw new AppError(
      'CONNECTOR-1358-400',
      `The objectType '${objectTypeRaw}' is not supported by tabular sources; use root or table.`,
    );
  }
  const object = one(query, 'object');
  if (objectType === 'table' && (object === undefined || object.trim() === '')) {
    throw new AppError(
      'CONNECTOR-1337-400',
      'The object cannot be empty for objectType=table; pass a path from the objectType=root listing.',
    );
  }
  const previewRaw = one(query, 'preview');
  if (previewRaw !== undefined && !/^(true|false)$/i.test(previewRaw)) {
    throw new AppError('CONNECTOR-1341-400', `preview must be true or false, not '${previewRaw}'.`);
  }
  const preview = previewRaw?.toLowerCase() === 'true';
  const countRaw = one(query, 'count');
  let count = PREVIEW_DEFAULT_COUNT;
  if (countRaw !== undefined) {
    if (!preview) throw new AppError('CONNECTOR-1341-400', 'count applies only with preview=true.');
    if (!/^\d+$/.test(countRaw) || Number(countRaw) < 1 || Number(countRaw) > PREVIEW_MAX_COUNT) {
      throw new AppError(
        'CONNECTOR-1341-400',
        `count must be a whole number from 1 to ${PREVIEW_MAX_COUNT}, not '${countRaw}'.`,
      );
    }
    count = Number(countRaw);
  }
  const filters = one(query, 'filters');
  if (filters !== undefined && !preview) {
    throw new AppError('CONNECTOR-1349-400', 'filters applies only with preview=true.');
  }
  if (objectType === 'root' && (preview || filters !== undefined)) {
    throw new AppError('CONNECTOR-1341-400', 'preview and filters apply only to objectType=table.');
  }
  return {
    objectType,
    ...(object === undefined || objectType === 'root' ? {} : { object }),
    preview,
    count,
    ...(filters === undefined ? {} : { filters }),
  };
}

export function createExploreService(deps: {
  connections: ConnectionService;
  runtime: ConnectorRuntime;
}): ExploreService {
  const { connections, runtime } = deps;

  const guard = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (isAppError(error)) throw error;
      throw new AppError(
        'CONNECTOR-1502-502',
        'The source failed while answering; retry, or check the connection with GET /connections/{id}/test.',
        { retryable: true },
      );
    }
  };

  const open = async (tenant: Tenant, connectionId: string) => {
    const { connection, params } = await connections.openForConnector(tenant, connectionId);
    if (connection.state === 'draft') {
      throw new AppError(
        'FLOW-1416-400',
        `The connection ${connection.id} is a draft; publish it (POST /connections/{id}/action?op=publish) before exploring.`,
      );
    }
    return { params, connector: runtime.connector(connection.connectionSpec.id) };
  };

  return {
    async describeTable(tenant, connectionId, table) {
      const { params, connector } = await open(tenant, connectionId);
      return guard(() => runtime.run((ctx) => connector.describeTable(params, table, ctx)));
    },

    async explore(tenant, connectionId, request) {
      const { params, connector } = await open(tenant, connectionId);
      // Decode the filter before calling the source, so a malformed one costs no round trip.
      const filter = request.filters === undefined ? undefined : decodeFilterParameter(request.filters);
      return guard(() =>
        runtime.run(async (ctx) => {
          if (request.objectType === 'root') return connector.listTables(params, ctx);
          const table = request.object ?? '';
          if (!request.preview) {
            return {
              format: 'flat' as const,
              schema: { columns: (await connector.describeTable(params, table, ctx)).map(exploreColumn) },
            };
          }
          if (filter !== undefined) validateFilter(filter, await connector.describeTable(params, table, ctx));
          const result = await connector.preview(
            params,
            { table, count: request.count, ...(filter === undefined ? {} : { filter }) },
            ctx,
          );
          return {
            format: 'flat' as const,
            schema: { columns: result.columns.map(exploreColumn) },
            data: result.rows,
          };
        }),
      );
    },
  };
}
