/**
 * targetConnections to the data lake (flow-service-api.md §3.5): where a flow writes. The spec must be
 * the data-lake spec and `params.dataSetId` a dataset of the same org and sandbox.
 */
import type { CursorCodec } from '../domain/cursor.ts';
import type { DatasetSchema } from '../domain/dataset.ts';
import { createdMeta, updatedMeta } from '../domain/entity.ts';
import type { DocumentLimits } from '../domain/limits.ts';
import { AppError } from '../domain/errors.ts';
import { DATA_LAKE_SPEC_ID, type TargetConnection } from '../domain/flow-entities.ts';
import { newEtag, newId } from '../domain/ids.ts';
import type { ParsedListRequest } from '../domain/listing.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import type { EntityRepository, ViewingRepository } from '../store/entity-repository.ts';
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

export interface DatasetInfo {
  readonly id: string;
  readonly name: string;
  readonly schema: DatasetSchema;
}

/** Finds a live (not deleted) dataset of a tenant; provided by the dataset service. */
export type DatasetLookup = (tenant: Tenant, id: string) => Promise<DatasetInfo | undefined>;

export interface TargetConnectionInput {
  readonly name: string;
  readonly description?: string;
  readonly data?: { readonly format?: string; readonly schema?: Record<string, unknown> };
  readonly params?: Record<string, unknown>;
  readonly connectionSpec: { readonly id: string; readonly version?: string };
}

export interface TargetConnectionService {
  create(
    actor: Actor,
    input: TargetConnectionInput,
    options?: { draft?: boolean },
  ): Promise<{ id: string; etag: string }>;
  get(tenant: Tenant, id: string): Promise<TargetConnection>;
  /** `get` as JSON text: the stored view (entity-views.ts), the same bytes as JSON.stringify of `get`. */
  getJson(tenant: Tenant, id: string): Promise<string>;
  list(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<TargetConnection>>;
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

const FORMATS = ['parquet_xdm', 'parquet', 'tabular'];

export function createTargetConnectionService(deps: {
  readonly repository: EntityRepository<TargetConnection>;
  readonly lookupDataset: DatasetLookup;
  readonly cursors: CursorCodec;
  readonly assertUnused?: (tenant: Tenant, targetConnectionId: string) => Promise<void>;
  readonly now?: () => number;
  /** Request-body limits, applied to the entity a PATCH produces (default: those of a 1 MiB body). */
  readonly limits?: DocumentLimits;
}): TargetConnectionService {
  const { cursors } = deps;
  // Every write stores the response item beside the body (entity-views.ts); it depends on nothing else.
  const repository = deps.repository.withViews({
    key: viewKey('targetConnections', null),
    of: (entity) => JSON.stringify(withVersion(entity)),
  });
  const now = deps.now ?? Date.now;
  const listing = (
    tenant: Tenant,
    request: ParsedListRequest,
  ): EntityListInput<TargetConnection, TargetConnection> & {
    repository: ViewingRepository<TargetConnection>;
  } => ({
    repository,
    tenant,
    collection: 'targetConnections',
    request,
    cursors,
    represent: withVersion,
  });
  const TYPE = 'targetConnections';

  const validate = async (
    tenant: Tenant,
    input: Pick<TargetConnectionInput, 'connectionSpec' | 'params' | 'data'>,
  ): Promise<string> => {
    if (input.connectionSpec.id !== DATA_LAKE_SPEC_ID) {
      throw new AppError(
        'FLOW-1307-400',
        `connectionSpec.id '${input.connectionSpec.id}' is not a target Sluice can write to. The allowed value is: ${DATA_LAKE_SPEC_ID}.`,
      );
    }
    const format = input.data?.format ?? 'parquet_xdm';
    if (!FORMATS.includes(format)) {
      throw new AppError(
        'CONNECTOR-1327-400',
        `data.format '${format}' is not supported by the data lake; use parquet_xdm.`,
      );
    }
    const dataSetId = input.params?.['dataSetId'];
    if (typeof dataSetId !== 'string' || dataSetId.trim() === '') {
      throw new AppError(
        'FLOW-1325-400',
        'params.dataSetId cannot be empty; create a dataset with POST /data/foundation/catalog/dataSets first.',
      );
    }
    if (!(await deps.lookupDataset(tenant, dataSetId))) {
      throw new AppError(
        'FLOW-1338-400',
        `params.dataSetId: no dataset ${dataSetId} exists in this sandbox.`,
      );
    }
    return dataSetId;
  };

  return {
    async create(actor, input, options = {}) {
      const tenant = tenantOf(actor);
      const dataSetId = await validate(tenant, input);
      const at = now();
      const entity: TargetConnection = {
        ...createdMeta(newId(), actor, newEtag(at), at),
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        state: options.draft === true ? 'draft' : 'enabled',
        data: {
          format: input.data?.format ?? 'parquet_xdm',
          ...(input.data?.schema === undefined ? {} : { schema: input.data.schema }),
        },
        params: { dataSetId },
        connectionSpec: { id: DATA_LAKE_SPEC_ID, version: '1.0' },
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
          allowed: ['/name', '/description', '/params', '/data'],
          immutable: {
            '/connectionSpec': new AppError(
              'FLOW-1414-400',
              'The connectionSpec of a target connection cannot be changed.',
            ),
          },
        },
        { name: entity.name, description: entity.description, params: entity.params, data: entity.data },
      );
      const dataSetId = await validate(tenant, {
        connectionSpec: entity.connectionSpec,
        params: patched.params,
        data: patched.data,
      });
      const at = now();
      const { description: _old, ...rest } = entity;
      return saveEntity(
        repository,
        {
          ...updatedMeta(rest, actor, newEtag(at), at),
          name: patched.name,
          ...(typeof patched.description === 'string' ? { description: patched.description } : {}),
          params: { dataSetId },
          data: patched.data,
        },
        entity.etag,
      );
    },

    async delete(tenant, id) {
      const entity = await loadEntity(repository, tenant, id, TYPE);
      await deps.assertUnused?.(tenant, entity.id);
      await repository.delete(tenant, entity.id);
    },

    async publish(actor, id, ifMatch) {
      const entity = await loadEntity(repository, tenantOf(actor), id, TYPE);
      if (ifMatch !== undefined) requireEtag(entity, ifMatch);
      if (entity.state !== 'draft')
        throw new AppError('FLOW-1416-400', `The target connection ${id} is not a draft.`);
      const at = now();
      return saveEntity(
        repository,
        { ...updatedMeta(entity, actor, newEtag(at), at), state: 'enabled' },
        entity.etag,
      );
    },
  };
}
