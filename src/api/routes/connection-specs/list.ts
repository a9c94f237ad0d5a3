import { parseListQuery } from '../../../domain/listing.ts';
import { matchesFilters } from '../../../domain/listing.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { Type } from 'typebox';
import { errorResponses, ItemsResponse } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export const SPEC_FILTER_FIELDS = [
  'id',
  'name',
  'providerId',
  'version',
  'attributes',
  'authSpec',
  'sourceSpec',
  'exploreSpec',
];

export function listConnectionSpecs(app: App, deps: RouteDeps): void {
  app.get(
    '/connectionSpecs',
    {
      schema: {
        summary: 'List connection specs',
        tags: ['connectionSpecs'],
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
      const { filters } = parseListQuery(query, {
        sortFields: ['name'],
        defaultSort: { field: 'name', direction: 'asc' },
        filterFields: SPEC_FILTER_FIELDS,
        ...deps.listLimits,
      });
      return { items: deps.catalog.connectionSpecs.filter((spec) => matchesFilters(spec, filters)) };
    },
  );
}
