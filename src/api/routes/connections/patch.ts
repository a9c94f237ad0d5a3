import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { CreatedResponse, errorResponses, IdParams } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { ifMatchOf } from '../if-match.ts';

export function patchConnection(app: App, deps: RouteDeps): void {
  app.patch(
    '/connections/:id',
    {
      schema: {
        summary: 'Update a base connection with JSON Patch (add/replace/remove) and If-Match',
        tags: ['connections'],
        params: IdParams,
        body: Type.Unknown({
          description: 'A JSON Patch array, e.g. [{"op":"replace","path":"/name","value":"x"}].',
        }),
        response: { 200: CreatedResponse, ...errorResponses, 412: errorResponses[400] },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, ['if-match']);
      return deps.connections.patch(actorOf(request), request.params.id, ifMatchOf(request), request.body);
    },
  );
}
