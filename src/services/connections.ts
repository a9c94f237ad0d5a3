/**
 * Base connections: create (validated against the auth spec, then verified live), get, list, patch,
 * delete, test and publish. Secret params are sealed before they reach the store and opened only to
 * call a connector; every representation masks them.
 */
import type { Catalog } from '../catalog/catalog.ts';
import type { Connection, ConnectionState, Verification } from '../domain/connection.ts';
import { connectionTransitions } from '../domain/connection.ts';
import type { CursorCodec } from '../domain/cursor.ts';
import { createdMeta, updatedMeta } from '../domain/entity.ts';
import type { DocumentLimits } from '../domain/limits.ts';
import { AppError } from '../domain/errors.ts';
import { newEtag, newId } from '../domain/ids.ts';
import type { ParsedListRequest } from '../domain/listing.ts';
import type { ConnectionSpec } from '../domain/specs.ts';
import type { Actor, Tenant } from '../domain/tenancy.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import { maskSecrets, openSecrets, sealSecrets } from '../crypto/secret-fields.ts';
import type { EntityRepository } from '../store/entity-repository.ts';
import type { ConnectorRuntime } from '../connectors/runtime.ts';
import { listEntities, listEntityViews, type ListOutcome } from './listing.ts';
import { viewKey } from './entity-views.ts';
import {
  loadEntity,
  loadEntityJson,
  patchEntity,
  requireEtag,
  saveEntity,
  tenantOf,
} from './entity-support.ts';

export interface ConnectionInput {
  readonly name: string;
  readonly description?: string;
  readonly auth: { readonly specName: string; readonly params: Record<string, unknown> };
  readonly connectionSpec: { readonly id: string; readonly version?: string };
}

export type ConnectionView = Record<string, unknown>;

export interface ConnectionService {
  create(
    actor: Actor,
    input: ConnectionInput,
    options?: { draft?: boolean },
  ): Promise<{ id: string; etag: string }>;
  get(tenant: Tenant, id: string): Promise<ConnectionView>;
  /** `get` as JSON text: the stored view (entity-views.ts), the same bytes as JSON.stringify of `get`. */
  getJson(tenant: Tenant, id: string): Promise<string>;
  list(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<ConnectionView>>;
  /** `list` with each item as JSON text (stored views when nothing is filtered or counted). */
  listJson(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<string>>;
  patch(
    actor: Actor,
    id: string,
    ifMatch: string | undefined,
    body: unknown,
  ): Promise<{ id: string; etag: string }>;
  delete(tenant: Tenant, id: string): Promise<void>;
  test(tenant: Tenant, id: string): Promise<Verification>;
  action(
    actor: Actor,
    id: string,
    op: string,
    ifMatch: string | undefined,
  ): Promise<{ id: string; etag: string }>;
  /** Load a connection with its secrets opened, for a connector call (explore, runs). */
  openForConnector(
    tenant: Tenant,
    id: string,
  ): Promise<{ connection: Connection; params: Record<string, unknown> }>;
}

export interface ConnectionServiceDeps {
  readonly repository: EntityRepository<Connection>;
  readonly catalog: Catalog;
  readonly secrets: SecretBox;
  readonly runtime: ConnectorRuntime;
  readonly cursors: CursorCodec;
  /** Refuses deletion while flows use the connection (wired to the flow service). */
  readonly assertUnused?: (tenant: Tenant, connectionId: string) => Promise<void>;
  readonly now?: () => number;
  /** Request-body limits, applied to the entity a PATCH produces (default: those of a 1 MiB body). */
  readonly limits?: DocumentLimits;
}

export function createConnectionService(deps: ConnectionServiceDeps): ConnectionService {
  const { catalog, secrets, runtime, cursors } = deps;
  const now = deps.now ?? Date.now;

  const specOf = (id: string): ConnectionSpec => {
    const spec = catalog.connectionSpec(id);
    if (!spec) {
      throw new AppError(
        'FLOW-1413-400',
        `The spec ID '${id}' provided is invalid; list the available specs with GET /connectionSpecs.`,
        { id },
      );
    }
    return spec;
  };

  const authSchemaOf = (connection: Connection) => {
    const spec = specOf(connection.connectionSpec.id);
    const auth = catalog.authSpec(spec, connection.auth.specName);
    if (!auth) throw new Error(`stored connection ${connection.id} names an unknown auth spec`);
    return auth.spec;
  };

  /** Validate auth against the spec; returns the auth spec's JSON Schema. */
  const validateAuth = (spec: ConnectionSpec, specName: string, params: unknown) => {
    const auth = catalog.authSpec(spec, specName);
    if (!auth) {
      throw new AppError(
        'FLOW-1415-400',
        `The auth spec '${specName}' could not be found for the connection spec ID ${spec.id}; use one of ${spec.authSpec
          .map((candidate) => `'${candidate.name}'`)
          .join(', ')}.`,
      );
    }
    catalog.authValidator(spec.id, auth.name).assert(params, 'auth.params');
    return auth.spec;
  };

  /** Run the connector's live test; with `strict`, a failed test is a 400 naming the stage. */
  const verify = async (
    specId: string,
    params: Record<string, unknown>,
    strict: boolean,
  ): Promise<Verification> => {
    const connector = runtime.connector(specId);
    const stagesBudget = runtime.timeouts.stageMs * 6 + 1_000;
    const outcome = await runtime.run((ctx) => connector.test(params, ctx), stagesBudget);
    const verification = {
      result: outcome.ok,
      testedAt: now(),
      stages: outcome.stages.map((stage) => ({ ...stage })),
    };
    if (strict && !outcome.ok) {
      const stage =
        outcome.failure?.stage ?? outcome.stages.find((s) => s.status === 'failed')?.name ?? 'unknown';
      const message = outcome.failure?.message ?? 'the source refused the connection';
      throw new AppError(
        outcome.failure?.code ?? 'CONNECTOR-1308-400',
        `The connection could not be verified at the '${stage}' stage: ${message}`,
        { stage, stages: verification.stages },
      );
    }
    return verification;
  };

  const load = (tenant: Tenant, id: string): Promise<Connection> =>
    loadEntity(repository, tenant, id, 'connections');

  const represent = (connection: Connection): ConnectionView => {
    const { etag, auth, verification: _verification, ...rest } = connection;
    return {
      ...rest,
      auth: { specName: auth.specName, params: maskSecrets(authSchemaOf(connection), auth.params) },
      version: etag,
      etag,
    };
  };

  // Every write stores the masked representation beside the body; the key covers the auth specs, which
  // say what is secret, so a catalog change re-represents old rows instead of serving a stale mask.
  const repository = deps.repository.withViews({
    key: viewKey(
      'connections',
      catalog.connectionSpecs.map((spec) => [spec.id, spec.authSpec]),
    ),
    of: (connection) => JSON.stringify(represent(connection)),
  });

  const save = (next: Connection, expected: string): Promise<{ id: string; etag: string }> =>
    saveEntity(repository, next, expected);

  return {
    async create(actor, input, options = {}) {
      const spec = specOf(input.connectionSpec.id);
      if (input.connectionSpec.version !== undefined && input.connectionSpec.version !== spec.version) {
        throw new AppError(
          'FLOW-1413-400',
          `The connection spec ${spec.id} has no version '${input.connectionSpec.version}'; use '${spec.version}' or omit it.`,
        );
      }
      if (options.draft === true && spec.attributes['isDraftModeSupported'] !== true) {
        throw new AppError('FLOW-1430-400', `The connection spec ${spec.name} does not support mode=draft.`);
      }
      const schema = validateAuth(spec, input.auth.specName, input.auth.params);
      let verification: Verification | undefined;
      if (options.draft !== true) {
        verification = await verify(spec.id, input.auth.params, true);
      }
      const at = now();
      const state: ConnectionState = options.draft === true ? 'draft' : 'enabled';
      const connection: Connection = {
        ...createdMeta(newId(), actor, newEtag(at), at),
        name: input.name,
        ...(input.description === undefined ? {} : { description: input.description }),
        connectionSpec: { id: spec.id, version: spec.version },
        state,
        auth: { specName: input.auth.specName, params: sealSecrets(schema, input.auth.params, secrets) },
        ...(verification === undefined ? {} : { verification }),
      };
      await repository.insert(connection);
      return { id: connection.id, etag: connection.etag };
    },

    async get(tenant, id) {
      return represent(await load(tenant, id));
    },

    getJson(tenant, id) {
      return loadEntityJson(repository, tenant, id, 'connections');
    },

    list(tenant, request) {
      return listEntities({ repository, tenant, collection: 'connections', request, cursors, represent });
    },

    listJson(tenant, request) {
      return listEntityViews({ repository, tenant, collection: 'connections', request, cursors, represent });
    },

    async patch(actor, id, ifMatch, body) {
      const connection = await load(tenantOf(actor), id);
      const schema = authSchemaOf(connection);
      const { patched, operations } = patchEntity(
        connection,
        ifMatch,
        body,
        {
          limits: deps.limits,
          allowed: ['/name', '/description', '/auth/params', '/auth/specName'],
          immutable: {
            '/connectionSpec': new AppError(
              'FLOW-1414-400',
              'The connectionSpec of a connection cannot be changed; create a new connection instead.',
            ),
            '/state': new AppError(
              'FLOW-1410-400',
              'The state of a connection cannot be patched; use POST /connections/{id}/action.',
            ),
          },
        },
        {
          name: connection.name,
          description: connection.description,
          auth: {
            specName: connection.auth.specName,
            params: openSecrets(schema, connection.auth.params, secrets),
          },
        },
      );
      const authChanged = operations.some((operation) => operation.path.startsWith('/auth'));
      let { auth, verification } = connection;
      if (authChanged) {
        const spec = specOf(connection.connectionSpec.id);
        const newSchema = validateAuth(spec, patched.auth.specName, patched.auth.params);
        if (connection.state !== 'draft') {
          verification = await verify(spec.id, patched.auth.params, true);
        }
        auth = {
          specName: patched.auth.specName,
          params: sealSecrets(newSchema, patched.auth.params, secrets),
        };
      }
      const at = now();
      const { description: _old, ...withoutDescription } = connection;
      const next: Connection = {
        ...updatedMeta(withoutDescription, actor, newEtag(at), at),
        name: patched.name,
        ...(patched.description === undefined ? {} : { description: patched.description }),
        auth,
        ...(verification === undefined ? {} : { verification }),
      };
      return save(next, connection.etag);
    },

    async delete(tenant, id) {
      const connection = await load(tenant, id);
      await deps.assertUnused?.(tenant, connection.id);
      await repository.delete(tenant, connection.id);
    },

    async test(tenant, id) {
      const connection = await load(tenant, id);
      const params = openSecrets(authSchemaOf(connection), connection.auth.params, secrets);
      const verification = await verify(connection.connectionSpec.id, params, false);
      // A system-side fact: recorded without a new etag, so clients holding the etag are not disturbed.
      await repository.update({ ...connection, verification }, connection.etag);
      return verification;
    },

    async action(actor, id, op, ifMatch) {
      const connection = await load(tenantOf(actor), id);
      if (ifMatch !== undefined) requireEtag(connection, ifMatch);
      const action = op.toLowerCase();
      if (action !== 'publish' && action !== 'enable' && action !== 'disable') {
        throw new AppError(
          'FLOW-1421-400',
          `The action '${op}' is not supported for connections; use op=publish.`,
        );
      }
      const target = connectionTransitions[connection.state][action];
      if (target === undefined) {
        throw new AppError(
          'FLOW-1416-400',
          `A connection in state '${connection.state}' cannot be the subject of '${action}'.`,
        );
      }
      let { verification } = connection;
      if (action === 'publish' || action === 'enable') {
        const params = openSecrets(authSchemaOf(connection), connection.auth.params, secrets);
        verification = await verify(connection.connectionSpec.id, params, true);
      }
      const at = now();
      const next: Connection = {
        ...updatedMeta(connection, actor, newEtag(at), at),
        state: target,
        ...(verification === undefined ? {} : { verification }),
      };
      return save(next, connection.etag);
    },

    async openForConnector(tenant, id) {
      const connection = await load(tenant, id);
      return { connection, params: openSecrets(authSchemaOf(connection), connection.auth.params, secrets) };
    },
  };
}
