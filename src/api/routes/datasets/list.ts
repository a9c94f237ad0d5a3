import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams, singleValued } from '../../../domain/listing.ts';
import type { DatasetOrderField } from '../../../store/dataset-repository.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, Repeatable } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { datasetView, intParam, pickProperties } from './views.ts';

const ORDER = /^(?:(asc|desc):)?(created|updated|name)$/;

export const KeyedResponse = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Objects keyed by id.',
});

export function parseOrderBy(raw: unknown): { field: DatasetOrderField; direction: 'asc' | 'desc' } {
  if (raw === undefined) return { field: 'created', direction: 'desc' };
  const match = typeof raw === 'string' ? ORDER.exec(raw) : null;
  if (match === null) {
    throw new AppError(
      'FLOW-1432-400',
      "'orderBy' must be [asc:|desc:]created, updated or name (default desc:created).",
    );
  }
  return { field: match[2] as DatasetOrderField, direction: (match[1] ?? 'asc') as 'asc' | 'desc' };
}

export function listDatasets(app: App, deps: RouteDeps): void {
  app.get(
    '/dataSets',
    {
      schema: {
        summary: 'List datasets (keyed by id)',
        tags: ['catalog'],
        querystring: Type.Object(
          {
            limit: Type.Optional(Repeatable('1..100, default 50.')),
            start: Type.Optional(Repeatable('Offset, default 0.')),
            orderBy: Type.Optional(Repeatable('[asc:|desc:]created|updated|name; default desc:created.')),
            properties: Type.Optional(Repeatable('Comma-separated properties to return.')),
            name: Type.Optional(Repeatable('Only the dataset with this name.')),
          },
          { additionalProperties: true },
        ),
        response: { 200: KeyedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const names = ['limit', 'start', 'orderBy', 'properties', 'name'];
      assertKnownParams(request.query, names);
      const query = singleValued(request.query, names);
      const datasets = await deps.datasets.list(actorOf(request), {
        limit: intParam(query['limit'], 'limit', 50, 1, 100),
        start: intParam(query['start'], 'start', 0, 0, Number.MAX_SAFE_INTEGER),
        orderBy: parseOrderBy(query['orderBy']),
        ...(typeof query['name'] === 'string' ? { name: query['name'] } : {}),
      });
      return Object.fromEntries(
        datasets.map((dataset) => [dataset.id, pickProperties(datasetView(dataset), query['properties'])]),
      );
    },
  );
}
