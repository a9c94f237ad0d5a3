/**
 * The CRUD operations every Flow Service collection shares (create with mode=draft, list, get, JSON
 * Patch with If-Match, delete, action), generated from one description per collection so that
 * sourceConnections, targetConnections and flows behave identically.
 */
import { Type, type TSchema } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import { assertKnownParams, type ListRules } from '../../domain/listing.ts';
import type { Actor, Tenant } from '../../domain/tenancy.ts';
import { ENTITY_LIST_RULES, type ListOutcome } from '../../services/listing.ts';
import { actorOf } from '../auth.ts';
import { listEnvelopeJson, parseList } from '../listing.ts';
import { itemsJson } from '../../services/entity-views.ts';
import {
  CreatedResponse,
  errorResponses,
  IdParams,
  ItemsResponse,
  JSON_TYPE,
  ListQuerystring,
  ListResponse,
} from '../schemas.ts';
import type { App, RouteDeps } from '../types.ts';
import { assertNoServerOwnedFields, parseMode } from './connections/create.ts';
import { ifMatchOf } from './if-match.ts';
import { registerSearch } from './search.ts';
import type { ParsedListRequest } from '../../domain/listing.ts';

export interface EntityCollection<Input> {
  readonly collection: string;
  readonly tag: string;
  readonly createBody: TSchema;
  readonly filterFields: readonly string[];
  /** Filterable paths that hold numbers (beyond createdAt and updatedAt). */
  readonly numericFields?: readonly string[];
  readonly actions: readonly string[];
  /** Also serve `POST /{collection}/search` (Adobe has it for flows). */
  readonly search?: boolean;
  readonly service: (deps: RouteDeps) => {
    create(actor: Actor, input: Input, options: { draft: boolean }): Promise<{ id: string; etag: string }>;
    get(tenant: Tenant, id: string): Promise<unknown>;
    /** `get` as JSON text (the stored view), sent as it is. */
    getJson(tenant: Tenant, id: string): Promise<string>;
    list(tenant: Tenant, request: ParsedListRequest): Promise<ListOutcome<unknown>>;
    /** `list` with each item as JSON text. */
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
  };
}

export function registerEntityRoutes<Input>(app: App, deps: RouteDeps, spec: EntityCollection<Input>): void {
  const { collection, tag } = spec;
  const service = spec.service(deps);
  const rules: ListRules = {
    ...ENTITY_LIST_RULES,
    filterFields: spec.filterFields,
    ...(spec.numericFields === undefined ? {} : { numericFields: spec.numericFields }),
    ...deps.listLimits,
  };

  if (spec.search === true) {
    registerSearch(app, { collection, rules, list: (actor, request) => service.list(actor, request) });
  }

  app.post(
    `/${collection}`,
    {
      schema: {
        summary: `Create a ${tag} (mode=draft relaxes validation)`,
        tags: [collection],
        querystring: Type.Object({ mode: Type.Optional(Type.String()) }, { additionalProperties: true }),
        body: spec.createBody,
        response: { 201: CreatedResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { draft } = parseMode(request.query);
      assertNoServerOwnedFields(request.body as object);
      if ('mode' in (request.body as object))
        throw new AppError('FLOW-1368-400', 'mode is a query parameter (?mode=draft), not a body field.');
      return reply.status(201).send(await service.create(actorOf(request), request.body as Input, { draft }));
    },
  );

  app.get(
    `/${collection}`,
    {
      schema: {
        summary: `List ${collection}`,
        tags: [collection],
        querystring: ListQuerystring,
        response: { 200: ListResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const parsed = parseList(request, rules);
      const outcome = await service.listJson(actorOf(request), parsed);
      return reply.type(JSON_TYPE).send(listEnvelopeJson(collection, outcome) as never);
    },
  );

  app.get(
    `/${collection}/:id`,
    {
      schema: {
        summary: `Get a ${tag}`,
        tags: [collection],
        params: IdParams,
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const item = await service.getJson(actorOf(request), request.params.id);
      return reply.type(JSON_TYPE).send(itemsJson(item) as never);
    },
  );

  app.patch(
    `/${collection}/:id`,
    {
      schema: {
        summary: `Update a ${tag} with JSON Patch and If-Match`,
        tags: [collection],
        params: IdParams,
        body: Type.Unknown({ description: 'A JSON Patch array.' }),
        response: { 200: CreatedResponse, ...errorResponses, 412: errorResponses[400] },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, ['if-match']);
      return service.patch(actorOf(request), request.params.id, ifMatchOf(request), request.body);
    },
  );

  app.delete(
    `/${collection}/:id`,
    {
      schema: {
        summary: `Delete a ${tag}`,
        tags: [collection],
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      await service.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    `/${collection}/:id/action`,
    {
      schema: {
        summary: `Change a ${tag}'s state (op=${spec.actions.join('|')})`,
        tags: [collection],
        params: IdParams,
        querystring: Type.Object({ op: Type.Optional(Type.String()) }, { additionalProperties: true }),
        response: { 200: CreatedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['op', 'if-match']);
      const op = query['op'];
      if (typeof op !== 'string' || op === '') {
        throw new AppError(
          'FLOW-1421-400',
          `The query parameter op is required: ${spec.actions.map((a) => `op=${a}`).join(', ')}.`,
        );
      }
      return service.action(actorOf(request), request.params.id, op, ifMatchOf(request));
    },
  );
}

export const COMMON_FILTER_FIELDS = [
  'id',
  'name',
  'description',
  'state',
  'connectionSpec',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'createdClient',
  'updatedClient',
  'sandboxId',
  'sandboxName',
  'imsOrgId',
  'etag',
  'version',
];
