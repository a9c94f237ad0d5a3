import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import {
  assertKnownParams,
  matchesFilters,
  parseListQuery,
  type ListRules,
} from '../../../domain/listing.ts';
import { registerSearch } from '../search.ts';
import { errorResponses, IdParams, ItemsResponse } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

const FILTER_FIELDS = [
  'id',
  'name',
  'providerId',
  'version',
  'sourceConnectionSpecIds',
  'targetConnectionSpecIds',
  'attributes',
  'transformationSpecs',
];

export function registerFlowSpecRoutes(app: App, deps: RouteDeps): void {
  const rules: ListRules = {
    sortFields: ['name', 'id'],
    defaultSort: { field: 'name', direction: 'asc' },
    filterFields: FILTER_FIELDS,
    ...deps.listLimits,
  };
  registerSearch(app, {
    collection: 'flowSpecs',
    rules,
    list: (actor, request) => deps.flowSpecs.search(actor, request),
  });

  app.get(
    '/flowSpecs',
    {
      schema: {
        summary: 'List flow specs (filter with property, e.g. name=="CRMToAEP")',
        tags: ['flowSpecs'],
        querystring: Type.Object(
          { property: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) },
          { additionalProperties: true },
        ),
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['property']);
      const { filters } = parseListQuery(query, rules);
      return { items: deps.catalog.flowSpecs.filter((spec) => matchesFilters(spec, filters)) };
    },
  );

  app.get(
    '/flowSpecs/:id',
    {
      schema: {
        summary: 'Get a flow spec',
        tags: ['flowSpecs'],
        params: IdParams,
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const spec = deps.catalog.flowSpec(request.params.id);
      if (!spec) {
        throw new AppError(
          'FLOW-1439-404',
          `The requested flowSpecs resource ${request.params.id} is not found.`,
          {
            id: request.params.id,
            type: 'flowSpecs',
          },
        );
      }
      return { items: [spec] };
    },
  );
}
