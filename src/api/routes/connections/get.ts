import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, IdParams, ItemsResponse } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { itemsJson } from '../../../services/entity-views.ts';
import { JSON_TYPE } from '../../schemas.ts';

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
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      // The stored item text (the same bytes as serialising `connections.get`), sent as it is.
      const item = await deps.connections.getJson(actorOf(request), request.params.id);
      return reply.type(JSON_TYPE).send(itemsJson(item) as never);
    },
  );
}
