/**
 * sourceConnections (flow-service-api.md §3.4): what a flow reads. Params are validated against the
 * connector's sourceSpec JSON Schema and then against the live source: the table exists, each declared
 * column exists and its live type converts to the declared one, and the row filter fits the columns.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { ColumnSchema } from '../connectors/connector.ts';
import { parseFilter, validateFilter } from '../connectors/filter.ts';
import { conversionOf } from '../domain/conversion.ts';
import type { Connection } from '../domain/connection.ts';
import type { CursorCodec } from '../domain/cursor.ts';
import { createdMeta, updatedMeta } from '../domain/entity.ts';
import type { DocumentLimits } from '../domain/limits.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import type { SourceColumn, SourceConnection } from '../domain/flow-entities.ts';
import { newEtag, newId } from '../domain/ids.ts';
import type { ParsedListRequest } from '../domain/listing.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import { NORMALIZED_TYPES, normalizedTypeOf } from '../domain/types.ts';
import type { EntityRepository, ViewingRepository } from '../store/entity-repository.ts';
import type { ConnectionService } from './connections.ts';
import type { ConnectorRuntime } from '../connectors/runtime.ts';
import {
  loadEntity,
  loadEntityJson,
  patchEntity,
  requireEtag,
  saveEntity,
  tenantOf,
  withVersion,
} from './entity-support.ts';
import { listEntities, listEntityViews, type EntityListInput, type ListOutcome } from './listing.ts';
import { viewKey } from './entity-views.ts';

export interface SourceConnectionInput {
  readonly name: string;
  readonly description?: string;
  readonly baseConnectionId: string;
  readonly data?: { readonly format?: string };
  readonly params: Record<string, unknown>;
  readonly connectionSpec: { readonly id: string; readonly version?: string };
}

export interface SourceConnectionService {
  create(
    actor: Actor,
    input: SourceConnectionInput,
    options?: { draft?: boolean },
  ): Promise<{ id: string; etag: string }>;
  get(tenant: Tenant, id: string): Promise<SourceConnection>;
  /** `get` as JSON text: the stored view (entity-views.ts), the same bytes as JSON.stringify of `get`. */
  getJson(tenant: Tenant, id: string): Promise<string>;
  list(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<SourceConnection>>;
  /** `list` with each item as JSON text (stored views when nothing is filtered or counted). */
  listJson(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<string>>;
  patch(
    actor: Actor,
    id: string,
    ifMatch: string | undefined,
    body: unknown,
  ): Promise<{ id: string; etag: string }>;
  delete(tenant: Tenant, id: string): Promise<void>;
  publish(actor: Actor, id: string, ifMatch: string | undefined): Promise<{ id: string; etag: string }>;
}

export interface SourceConnectionDeps {
  readonly repository: EntityRepository<SourceConnection>;
  readonly connections: ConnectionService;
  readonly catalog: Catalog;
  readonly runtime: ConnectorRuntime;
  readonly cursors: CursorCodec;
  /** Refuses deletion while flows use the entity (wired by the flow service). */
  readonly assertUnused?: (tenant: Tenant, sourceConnectionId: string) => Promise<void>;
  readonly now?: () => number;
  /** Request-body limits, applied to the entity a PATCH produces (default: those of a 1 MiB body). */
  readonly limits?: DocumentLimits;
}

/** Check declared columns and filters against the live table; returns the live columns. */
export async function verifySourceParams(
  runtime: ConnectorRuntime,
  connection: Connection,
  params: Record<string, unknown>,
  source: SourceConnection['params'],
): Promise<ColumnSchema[]> {
  const connector = runtime.connector(connection.connectionSpec.id);
  let live: ColumnSchema[];
  try {
    live = await runtime.run((ctx) => connector.describeTable(params, source.tableName, ctx));
  } catch (error) {
    if (isAppError(error) && error.code === 'CONNECTOR-1340-404') {
      throw new AppError(
        'CONNECTOR-1344-400',
        `params.tableName: ${error.message} List the tables with GET /connections/${connection.id}/explore?objectType=root.`,
      );
    }
    throw error;
  }
  const byName = new Map(live.map((column) => [column.name, column]));
  for (const [index, column] of source.columns.entries()) {
    const found = byName.get(column.name);
    if (!found) {
      throw new AppError(
        'CONNECTOR-1345-400',
        `params.columns[${index}]: the table ${source.tableName} has no column '${column.name}'; its columns are ${live.map((c) => c.name).join(', ')}.`,
      );
    }
    const originalType =
      typeof found.meta?.['originalType'] === 'string' ? found.meta['originalType'] : undefined;
    const declared = normalizedTypeOf(column) ?? 'string';
    const check = conversionOf(
      { type: found.type, ...(originalType === undefined ? {} : { originalType }) },
      { name: column.name, type: declared },
    );
    if (!check.ok) {
      throw new AppError(
        'CONNECTOR-1346-400',
        `params.columns[${index}]: the column '${column.name}' is ${found.type} at the source and cannot be read as ${declared}: ${check.reason}.`,
      );
    }
  }
  if (source.filters !== undefined) validateFilter(parseFilter(source.filters), live);
  return live;
}

/**
 * Each declared column's type is one Sluice reads: explore's shape (`string` + `meta:xdmType` for dates
 * and timestamps) or a normalized type (docs/types.md). Checked in drafts too: it needs no source call.
 */
function assertColumnTypes(columns: readonly SourceColumn[]): void {
  for (const [index, column] of columns.entries()) {
    if (normalizedTypeOf(column) === undefined) {
      throw new AppError(
        'CONNECTOR-1312-400',
        `params.columns[${index}].type is not a column type; send the column as explore returns it (type string with meta:xdmType date or date-time for temporal columns), or one of ${NORMALIZED_TYPES.join(', ')}.`,
      );
    }
  }
}

export function createSourceConnectionService(deps: SourceConnectionDeps): SourceConnectionService {
  const { connections, catalog, runtime, cursors } = deps;
  // Every write stores the response item beside the body (entity-views.ts); it depends on nothing else.
  const repository = deps.repository.withViews({
    key: viewKey('sourceConnections', null),
    of: (entity) => JSON.stringify(withVersion(entity)),
  });
  const now = deps.now ?? Date.now;
  const listing = (
    tenant: Tenant,
    request: ParsedListRequest,
  ): EntityListInput<SourceConnection, SourceConnection> & {
    repository: ViewingRepository<SourceConnection>;
  } => ({
    repository,
    tenant,
    collection: 'sourceConnections',
    request,
    cursors,
    represent: withVersion,
  });
  const TYPE = 'sourceConnections';

  const validate = async (
    tenant: Tenant,
    input: Pick<SourceConnectionInput, 'baseConnectionId' | 'params' | 'connectionSpec' | 'data'>,
    draft: boolean,
  ): Promise<{ base: Connection; params: SourceConnection['params'] }> => {
    let opened;
    try {
      opened = await connections.openForConnector(tenant, input.baseConnectionId);
    } catch (error) {
      if (isAppError(error) && error.code === 'FLOW-1439-404') {
        throw new AppError(
          'FLOW-1338-400',
          `baseConnectionId: no connection ${input.baseConnectionId} exists in this sandbox.`,
        );
      }
      throw error;
    }
    const base = opened.connection;
    if (input.connectionSpec.id !== base.connectionSpec.id) {
      throw new AppError(
        'FLOW-1306-400',
        `connectionSpec.id must be the base connection's spec ${base.connectionSpec.id}, not ${input.connectionSpec.id}.`,
      );
    }
    const format = input.data?.format ?? 'tabular';
    if (format !== 'tabular') {
      throw new AppError(
        'CONNECTOR-1327-400',
        `data.format '${format}' is not supported for table sources; use "tabular".`,
      );
    }
    const validator = catalog.sourceValidator(base.connectionSpec.id);
    if (!validator)
      throw new AppError(
        'CONNECTOR-1336-400',
        `The connection spec ${base.connectionSpec.id} cannot be a source.`,
      );
    validator.assert(input.params, 'params');
    const params = input.params as unknown as SourceConnection['params'];
    assertColumnTypes(params.columns);
    if (params.cdcEnabled === true) {
      // Adobe's CDC needs a change feed reader and model-based schemas; Sluice's runs copy windows only.
      throw new AppError(
        'CONNECTOR-1312-400',
        "params.cdcEnabled: change data capture is not supported yet; omit it (or set false) — runs copy each window of the flow's delta column, and deletes at the source are not propagated.",
      );
    }
    if (params.filters !== undefined) parseFilter(params.filters);
    if (!draft) {
      if (base.state === 'draft') {
        throw new AppError(
          'FLOW-1416-400',
          `The base connection ${base.id} is a draft; publish it first or create this source connection with mode=draft.`,
        );
      }
      await verifySourceParams(runtime, base, opened.params, params);
    }
    return { base, params };
  };

  const service: SourceConnectionService = {
    async create(actor, input, options = {}) {
      const draft = options.draft === true;
      const { base, params } = await validate(tenantOf(actor), input, draft);
      const at = now();
      const entity: SourceConnection = {
        ...createdMeta(newId(), actor, newEtag(at), at),
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        baseConnectionId: base.id,
        state: draft ? 'draft' : 'enabled',
        data: { format: 'tabular' },
        params,
        connectionSpec: base.connectionSpec,
      };
      await repository.insert(entity);
      return { id: entity.id, etag: entity.etag };
    },

    async get(tenant, id) {
      const entity = await loadEntity(repository, tenant, id, TYPE);
      return withVersion(entity);
    },

    getJson(tenant, id) {
      return loadEntityJson(repository, tenant, id, TYPE);
    },

    list: (tenant, request) => listEntities(listing(tenant, request)),

    listJson: (tenant, request) => listEntityViews(listing(tenant, request)),

    async patch(actor, id, ifMatch, body) {
      const tenant = tenantOf(actor);
      const entity = await loadEntity(repository, tenant, id, TYPE);
      const { patched } = patchEntity(
        entity,
        ifMatch,
        body,
        {
          limits: deps.limits,
          allowed: ['/name', '/description', '/params'],
          immutable: {
            '/connectionSpec': new AppError(
              'FLOW-1414-400',
              'The connectionSpec of a source connection cannot be changed.',
            ),
            '/baseConnectionId': new AppError(
              'FLOW-1365-400',
              'The baseConnectionId cannot be changed; create a new source connection.',
            ),
          },
        },
        { name: entity.name, description: entity.description, params: entity.params },
      );
      const { params } = await validate(
        tenant,
        {
          baseConnectionId: entity.baseConnectionId,
          params: patched.params,
          connectionSpec: entity.connectionSpec,
        },
        entity.state === 'draft',
      );
      const at = now();
      const { description: _old, ...rest } = entity;
      const next: SourceConnection = {
        ...updatedMeta(rest, actor, newEtag(at), at),
        name: patched.name,
        ...(typeof patched.description === 'string' ? { description: patched.description } : {}),
        params,
      };
      return saveEntity(repository, next, entity.etag);
    },

    async delete(tenant, id) {
      const entity = await loadEntity(repository, tenant, id, TYPE);
      await deps.assertUnused?.(tenant, entity.id);
      await repository.delete(tenant, entity.id);
    },

    async publish(actor, id, ifMatch) {
      const tenant = tenantOf(actor);
      const entity = await loadEntity(repository, tenant, id, TYPE);
      if (ifMatch !== undefined) requireEtag(entity, ifMatch);
      if (entity.state !== 'draft')
        throw new AppError('FLOW-1416-400', `The source connection ${id} is not a draft.`);
      await validate(
        tenant,
        {
          baseConnectionId: entity.baseConnectionId,
          params: entity.params,
          connectionSpec: entity.connectionSpec,
        },
        false,
      );
      const at = now();
      return saveEntity(
        repository,
        { ...updatedMeta(entity, actor, newEtag(at), at), state: 'enabled' },
        entity.etag,
      );
    },
  };
  return service;
}

export type { SourceColumn };
