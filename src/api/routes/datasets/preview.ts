import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { DatasetIdParams } from './get.ts';
import { intParam } from './views.ts';

export function previewDataset(app: App, deps: RouteDeps): void {
  app.get(
    '/dataSets/:id/preview',
    {
      schema: {
        summary: "Rows of the dataset's committed batches, oldest batch first",
        tags: ['catalog'],
        params: DatasetIdParams,
        querystring: Type.Object(
          { limit: Type.Optional(Type.String({ description: '1..1000, default 10.' })) },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({
            schema: Type.Unknown(),
            data: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['limit']);
      const limit = intParam(query['limit'], 'limit', 10, 1, 1000);
      const { dataset, rows } = await deps.datasets.preview(actorOf(request), request.params.id, limit);
      return { schema: dataset.schema, data: rows };
    },
  );
}
