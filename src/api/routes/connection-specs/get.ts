import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { errorResponses, IdParams, ItemsResponse } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export function getConnectionSpec(app: App, deps: RouteDeps): void {
  app.get(
    '/connectionSpecs/:id',
    {
      schema: {
        summary: 'Get a connection spec',
        tags: ['connectionSpecs'],
        params: IdParams,
        response: { 200: ItemsResponse, ...errorResponses },
      },
    },
    (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const spec = deps.catalog.connectionSpec(request.params.id);
      if (!spec) {
        throw new AppError(
          'FLOW-1439-404',
          `The requested connectionSpecs resource ${request.params.id} is not found. Verify the resource ID before trying again.`,
          { id: request.params.id, type: 'connectionSpecs' },
        );
      }
      return { items: [spec] };
    },
  );
}
