/**
 * Flows (dataflows): create, get, list, patch, delete and actions, with Adobe's shapes and rules. The
 * validation of every rule lives in flow-validation.ts; this file keeps the lifecycle and the
 * references (a connection, source/target connection or dataset in use by a flow cannot be deleted).
 */
import type { CursorCodec } from '../domain/cursor.ts';
import { createdMeta, updatedMeta } from '../domain/entity.ts';
import type { DocumentLimits } from '../domain/limits.ts';
import { AppError } from '../domain/errors.ts';
import {
  flowTransitions,
  type Flow,
  type Schedule,
  type SourceConnection,
  type TargetConnection,
} from '../domain/flow-entities.ts';
import { newEtag, newId } from '../domain/ids.ts';
import type { ParsedListRequest } from '../domain/listing.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import type { EntityRepository } from '../store/entity-repository.ts';
import type { RunRepository } from '../store/run-repository.ts';
import {
  loadEntity,
  loadEntityJson,
  patchEntity,
  requireEtag,
  saveEntity,
  tenantOf,
} from './entity-support.ts';
import {
  assertScheduleChangeAllowed,
  createFlowValidator,
  type FlowInput,
  type FlowValidationDeps,
  type ValidatedFlow,
} from './flow-validation.ts';
import { listEntities, listEntityViews, type ListOutcome } from './listing.ts';
import { viewKey } from './entity-views.ts';
import type { PatchOperation } from './patch.ts';

export interface FlowService {
  create(
    actor: Actor,
    input: FlowInput,
    options?: { draft?: boolean },
  ): Promise<{ id: string; etag: string }>;
  get(tenant: Tenant, id: string): Promise<Record<string, unknown>>;
  load(tenant: Tenant, id: string): Promise<Flow>;
  /** `get` as JSON text: the stored view (entity-views.ts), the same bytes as JSON.stringify of `get`. */
  getJson(tenant: Tenant, id: string): Promise<string>;
  list(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<Record<string, unknown>>>;
  /** `list` with each item as JSON text (stored views when nothing is filtered or counted). */
  listJson(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<string>>;
  patch(
    actor: Actor,
    id: string,
    ifMatch: string | undefined,
    body: unknown,
  ): Promise<{ id: string; etag: string }>;
  delete(tenant: Tenant, id: string): Promise<void>;
  action(
    actor: Actor,
    id: string,
    op: string,
    ifMatch: string | undefined,
  ): Promise<{ id: string; etag: string }>;
}

export interface FlowServiceDeps extends FlowValidationDeps {
  readonly repository: EntityRepository<Flow>;
  readonly cursors: CursorCodec;
  /** A deleted flow's ended runs and cursor go with it. */
  readonly runs: Pick<RunRepository, 'deleteForFlow'>;
  readonly now?: () => number;
  /** Request-body limits, applied to the entity a PATCH produces (default: those of a 1 MiB body). */
  readonly limits?: DocumentLimits;
}

const EDITABLE = ['/name', '/description', '/scheduleParams', '/transformations', '/options', '/labels'];

export function createFlowService(deps: FlowServiceDeps): FlowService {
  const { cursors } = deps;
  const now = deps.now ?? Date.now;
  const validate = createFlowValidator(deps);
  const TYPE = 'flows';

  const represent = (flow: Flow): Record<string, unknown> => {
    const { schedule: _schedule, ...rest } = flow;
    return { ...rest, version: flow.etag, runs: `/runs?property=flowId==${flow.id}` };
  };
  // Every write stores the response item beside the body (entity-views.ts); it depends on nothing else.
  const repository = deps.repository.withViews({
    key: viewKey('flows', null),
    of: (flow) => JSON.stringify(represent(flow)),
  });

  const derived = (
    validated: ValidatedFlow,
  ): Pick<Flow, 'inheritedAttributes' | 'transformations'> & { schedule?: Schedule } => ({
    transformations: validated.transformations,
    ...(validated.schedule === undefined ? {} : { schedule: validated.schedule }),
    inheritedAttributes: {
      sourceConnections: [
        {
          id: validated.source.id,
          connectionSpec: validated.source.connectionSpec,
          baseConnection: {
            id: validated.source.baseConnectionId,
            connectionSpec: validated.source.connectionSpec,
          },
        },
      ],
      targetConnections: [{ id: validated.target.id, connectionSpec: validated.target.connectionSpec }],
      properties: { isSourceFlow: true },
    },
  });

  const operation = (
    kind: Flow['lastOperation']['operation'],
    at: number,
    ops: readonly PatchOperation[] = [],
  ): Flow['lastOperation'] => ({
    started: at,
    updated: at,
    percentCompleted: 100,
    status: { value: 'completed', errors: [] },
    ops,
    operation: kind,
  });

  const service: FlowService = {
    async create(actor, input, options = {}) {
      const draft = options.draft === true;
      const validated = await validate(tenantOf(actor), input, draft);
      const at = now();
      const flow: Flow = {
        ...createdMeta(newId(), actor, newEtag(at), at),
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        flowSpec: { id: validated.flowSpec.id, version: validated.flowSpec.version },
        state: draft ? 'draft' : 'enabled',
        sourceConnectionIds: [validated.source.id],
        targetConnectionIds: [validated.target.id],
        scheduleParams: input.scheduleParams ?? {},
        ...(input.options === undefined ? {} : { options: input.options }),
        ...(input.labels === undefined ? {} : { labels: input.labels }),
        ...derived(validated),
        lastOperation: operation('create', at),
      };
      await repository.insert(flow);
      return { id: flow.id, etag: flow.etag };
    },

    load: (tenant, id) => loadEntity(repository, tenant, id, TYPE),

    async get(tenant, id) {
      return represent(await loadEntity(repository, tenant, id, TYPE));
    },

    getJson(tenant, id) {
      return loadEntityJson(repository, tenant, id, TYPE);
    },

    list(tenant, request) {
      return listEntities({ repository, tenant, collection: 'flows', request, cursors, represent });
    },

    listJson(tenant, request) {
      return listEntityViews({ repository, tenant, collection: 'flows', request, cursors, represent });
    },

    async patch(actor, id, ifMatch, body) {
      const tenant = tenantOf(actor);
      const flow = await loadEntity(repository, tenant, id, TYPE);
      const { patched, operations } = patchEntity(
        flow,
        ifMatch,
        body,
        {
          limits: deps.limits,
          allowed: EDITABLE,
          immutable: {
            '/flowSpec': new AppError('FLOW-1365-400', 'The flowSpec of a flow cannot be changed.'),
            '/sourceConnectionIds': new AppError(
              'FLOW-1365-400',
              'The source connection of a flow cannot be changed; create a new flow.',
            ),
            '/targetConnectionIds': new AppError(
              'FLOW-1365-400',
              'The target connection of a flow cannot be changed; create a new flow.',
            ),
            '/state': new AppError(
              'FLOW-1410-400',
              'The state of a flow changes only through POST /flows/{id}/action?op=enable|disable.',
            ),
          },
        },
        {
          name: flow.name,
          description: flow.description,
          scheduleParams: flow.scheduleParams,
          transformations: flow.transformations,
          options: flow.options,
          labels: flow.labels,
        },
      );
      const input: FlowInput = {
        name: patched.name,
        flowSpec: flow.flowSpec,
        sourceConnectionIds: flow.sourceConnectionIds,
        targetConnectionIds: flow.targetConnectionIds,
        transformations: patched.transformations,
        scheduleParams: patched.scheduleParams,
        ...(patched.options === undefined ? {} : { options: patched.options }),
      };
      const validated = await validate(tenant, input, flow.state === 'draft');
      assertScheduleChangeAllowed(flow.schedule, validated.schedule, now());
      const at = now();
      const { description: _d, options: _o, labels: _l, schedule: _s, ...rest } = flow;
      const next: Flow = {
        ...updatedMeta(rest, actor, newEtag(at), at),
        name: patched.name,
        ...(typeof patched.description === 'string' ? { description: patched.description } : {}),
        scheduleParams: patched.scheduleParams,
        ...(patched.options === undefined ? {} : { options: patched.options }),
        ...(patched.labels === undefined ? {} : { labels: patched.labels }),
        ...derived(validated),
        lastOperation: operation('update', at, operations),
      };
      return saveEntity(repository, next, flow.etag);
    },

    async delete(tenant, id) {
      const flow = await loadEntity(repository, tenant, id, TYPE);
      await repository.delete(tenant, flow.id);
      await deps.runs.deleteForFlow(flow.id);
    },

    async action(actor, id, op, ifMatch) {
      const tenant = tenantOf(actor);
      const flow = await loadEntity(repository, tenant, id, TYPE);
      if (ifMatch !== undefined) requireEtag(flow, ifMatch);
      const action = op.toLowerCase();
      if (action !== 'enable' && action !== 'disable' && action !== 'publish') {
        throw new AppError(
          'FLOW-1421-400',
          `The action '${op}' is not supported for flows; use op=enable, op=disable or op=publish.`,
        );
      }
      const target = flowTransitions[flow.state][action];
      if (target === undefined) {
        throw new AppError(
          'FLOW-1422-400',
          `A flow in state '${flow.state}' cannot be the subject of '${action}'.`,
        );
      }
      if (action === 'publish')
        await validate(
          tenant,
          {
            ...flow,
            sourceConnectionIds: flow.sourceConnectionIds,
            targetConnectionIds: flow.targetConnectionIds,
          },
          false,
        );
      const at = now();
      return saveEntity(
        repository,
        { ...updatedMeta(flow, actor, newEtag(at), at), state: target, lastOperation: operation(action, at) },
        flow.etag,
      );
    },
  };
  return service;
}

export type { SourceConnection, TargetConnection };
