import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { MappingSetBody, MappingSetSummary } from './schemas.ts';

export function createMappingSet(app: App, deps: RouteDeps): void {
  app.post(
    '/mappingSets',
    {
      schema: {
        summary:
          'Create a mapping set (version 0), validated against the source columns and dataset when given',
        tags: ['mappingSets'],
        body: MappingSetBody,
        response: { 201: MappingSetSummary, ...errorResponses },
      },
    },
    async (request, reply) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      return reply.status(201).send(await deps.mappingSets.create(actorOf(request), request.body));
    },
  );
}
