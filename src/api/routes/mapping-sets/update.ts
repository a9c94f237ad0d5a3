import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { MappingSetBody, MappingSetParams, MappingSetResponse } from './schemas.ts';

export function updateMappingSet(app: App, deps: RouteDeps): void {
  app.put(
    '/mappingSets/:id',
    {
      schema: {
        summary: 'Replace a mapping set: writes a new version; older versions stay readable',
        tags: ['mappingSets'],
        params: MappingSetParams,
        body: MappingSetBody,
        response: { 200: MappingSetResponse, ...errorResponses, 412: errorResponses[400] },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      return deps.mappingSets.update(actorOf(request), request.params.id, request.body);
    },
  );
}
