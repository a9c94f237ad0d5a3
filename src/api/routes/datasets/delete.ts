import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { DatasetIdParams } from './get.ts';

export function deleteDataset(app: App, deps: RouteDeps): void {
  app.delete(
    '/dataSets/:id',
    {
      schema: {
        summary: 'Delete a dataset (soft: hidden at once, files removed by the next garbage collection)',
        tags: ['catalog'],
        params: DatasetIdParams,
        response: {
          200: Type.Array(Type.String(), { description: '["@/dataSets/<id>"]' }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      await deps.datasets.delete(actorOf(request), request.params.id);
      return [`@/dataSets/${request.params.id}`];
    },
  );
}
