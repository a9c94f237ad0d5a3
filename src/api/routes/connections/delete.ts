import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, IdParams } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export function deleteConnection(app: App, deps: RouteDeps): void {
  app.delete(
    '/connections/:id',
    {
      schema: {
        summary: 'Delete a base connection',
        tags: ['connections'],
        params: IdParams,
        response: { 204: Type.Null({ description: 'Deleted' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      await deps.connections.delete(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
