/**
 * Schema Registry operations, mounted at SCHEMA_REGISTRY_PREFIX: create, list and look up XDM schemas
 * of the `tenant` container, the empty `global` container (Sluice ships no standard schemas), and the
 * Sluice extension `POST /tenant/schemas/fromTable` (explore → schema).
 */
import { Type } from 'typebox';
import { assertKnownParams, parseLimit, parsePropertyFilter, single } from '../../../domain/listing.ts';
import { AppError } from '../../../domain/errors.ts';
import type { XdmSchemaOrderField } from '../../../store/xdm-schema-repository.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, Repeatable } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { parseAccept, RAW, SCHEMA_REGISTRY_PREFIX, schemaView, SUMMARY } from './views.ts';

export { SCHEMA_REGISTRY_PREFIX } from './views.ts';

const Document = Type.Object({}, { additionalProperties: true, description: 'An XDM schema.' });
const responses = { ...errorResponses, 406: errorResponses[400], 409: errorResponses[400] };

const LIST_MAX = 500;
const LIST_DEFAULT = 300;
const FILTER_FIELDS = ['title', 'description', '$id', 'meta:altId', 'version', 'meta:class', 'meta:extends'];

function parseOrder(raw: string | undefined): { field: XdmSchemaOrderField; direction: 'asc' | 'desc' } {
  if (raw === undefined || raw === '') return { field: 'title', direction: 'asc' };
  const match = /^([+ -]?)(title|meta:altId)$/.exec(raw);
  if (match === null) {
    throw new AppError(
      'FLOW-1433-400',
      'orderby must be title or meta:altId, optionally prefixed by - (descending), e.g. orderby=-title.',
    );
  }
  return { field: match[2] as XdmSchemaOrderField, direction: match[1] === '-' ? 'desc' : 'asc' };
}

function registerList(app: App, deps: RouteDeps, container: 'tenant' | 'global'): void {
  app.get(
    `/${container}/schemas`,
    {
      schema: {
        summary: `List the ${container} container's schemas (Accept: application/vnd.adobe.xed-id+json or xed+json)`,
        tags: ['schemaregistry'],
        querystring: Type.Object(
          {
            orderby: Type.Optional(Repeatable('title (default) or meta:altId; - for descending.')),
            limit: Type.Optional(Repeatable(`1..${LIST_MAX}, default ${LIST_DEFAULT}.`)),
            start: Type.Optional(Repeatable("From _page.next: the last item's sort value.")),
            property: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
          },
          { additionalProperties: true },
        ),
        response: { 200: Document, ...responses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['orderby', 'limit', 'start', 'property']);
      const variant = parseAccept(request.headers.accept, SUMMARY);
      const orderRaw = single('orderby', query['orderby']);
      const orderBy = parseOrder(orderRaw);
      const limit = parseLimit(single('limit', query['limit']), {
        defaultLimit: LIST_DEFAULT,
        maxLimit: LIST_MAX,
      });
      const start = single('start', query['start']);
      const properties = ([] as unknown[]).concat(query['property'] ?? []).map(String);
      const filters = properties.map((expression) =>
        parsePropertyFilter(expression, { filterFields: FILTER_FIELDS }),
      );
      const page =
        container === 'global'
          ? { schemas: [] }
          : await deps.schemas.list(actorOf(request), {
              orderBy,
              limit,
              ...(start === undefined ? {} : { start }),
              filters,
              represent: (schema) => schemaView(schema, RAW),
            });
      const orderby = `${orderBy.direction === 'desc' ? '-' : ''}${orderBy.field}`;
      const next = 'next' in page ? page.next : undefined;
      const params = new URLSearchParams({
        orderby,
        limit: String(limit),
        ...(next === undefined ? {} : { start: next }),
      });
      for (const expression of properties) params.append('property', expression);
      return {
        results: page.schemas.map((schema) => schemaView(schema, variant)),
        _page: { orderby, next: next ?? null, count: page.schemas.length },
        _links: {
          next:
            next === undefined
              ? null
              : { href: `${SCHEMA_REGISTRY_PREFIX}/${container}/schemas?${params.toString()}` },
          global_schemas: { href: `${SCHEMA_REGISTRY_PREFIX}/global/schemas` },
        },
      };
    },
  );
}

export function registerSchemaRegistryRoutes(app: App, deps: RouteDeps): void {
  app.post(
    '/tenant/schemas',
    {
      schema: {
        summary: 'Create an XDM schema: title, type object, allOf [{$ref: a record class}, {properties}]',
        tags: ['schemaregistry'],
        body: Type.Unknown({ description: 'An XDM schema (see the README, Schema Registry).' }),
        response: { 201: Document, ...responses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const schema = await deps.schemas.create(actorOf(request), request.body);
      return reply.status(201).send(schemaView(schema, RAW));
    },
  );

  app.post(
    '/tenant/schemas/fromTable',
    {
      schema: {
        summary: "Sluice extension: create a schema whose fields are a source table's explored columns",
        tags: ['schemaregistry'],
        body: Type.Object(
          {
            title: Type.Optional(Type.String({ description: 'Default: the table path.' })),
            description: Type.Optional(Type.String()),
            connectionId: Type.String({ description: 'The base connection to explore.' }),
            object: Type.String({ description: 'The table path, as explore objectType=root lists it.' }),
            columns: Type.Optional(
              Type.Array(Type.Unknown(), { description: 'Column names (or explore columns); default all.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Document, ...responses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const schema = await deps.schemas.createFromTable(actorOf(request), request.body);
      return reply.status(201).send(schemaView(schema, RAW));
    },
  );

  app.get(
    '/tenant/schemas/:id',
    {
      schema: {
        summary:
          'Look up a schema by its meta:altId or URL-encoded $id (Accept: application/vnd.adobe.xed+json; version=1)',
        tags: ['schemaregistry'],
        params: Type.Object({ id: Type.String({ description: 'meta:altId or URL-encoded $id.' }) }),
        response: { 200: Document, ...responses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const variant = parseAccept(request.headers.accept, RAW);
      return schemaView(await deps.schemas.get(actorOf(request), request.params.id), variant);
    },
  );

  registerList(app, deps, 'tenant');
  registerList(app, deps, 'global');
}
