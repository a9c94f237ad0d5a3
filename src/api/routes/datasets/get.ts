import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { KeyedResponse } from './list.ts';
import { datasetView, pickProperties } from './views.ts';

export const DatasetIdParams = Type.Object({
  id: Type.String({ description: 'The dataset id (24 hex characters).' }),
});

export function getDataset(app: App, deps: RouteDeps): void {
  app.get(
    '/dataSets/:id',
    {
      schema: {
        summary: 'Get a dataset ({ "<id>": {...} })',
        tags: ['catalog'],
        params: DatasetIdParams,
        querystring: Type.Object(
          { properties: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
        response: { 200: KeyedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['properties']);
      const dataset = await deps.datasets.get(actorOf(request), request.params.id);
      return { [dataset.id]: pickProperties(datasetView(dataset), query['properties']) };
    },
  );
}
