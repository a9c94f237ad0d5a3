import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, IdParams, ItemsResponse } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export function getConnection(app: App, deps: RouteDeps): void {
  app.get(
    '/connections/:id',
    {
      schema: {
        summary: 'Get a base connection (secrets masked)',
        tags: ['connections'],
        params: IdParams,
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      return { items: [await deps.connections.get(actorOf(request), request.params.id)] };
    },
  );
}
