import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { CreatedResponse, errorResponses, IdParams } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { ifMatchOf } from '../if-match.ts';

export function connectionAction(app: App, deps: RouteDeps): void {
  app.post(
    '/connections/:id/action',
    {
      schema: {
        summary: 'Publish a draft connection (op=publish), verifying it live',
        tags: ['connections'],
        params: IdParams,
        querystring: Type.Object({ op: Type.Optional(Type.String()) }, { additionalProperties: true }),
        response: { 200: CreatedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['op', 'if-match']);
      const op = query['op'];
      if (typeof op !== 'string' || op === '') {
        throw new AppError('FLOW-1421-400', 'The query parameter op is required, e.g. ?op=publish.');
      }
      return deps.connections.action(actorOf(request), request.params.id, op, ifMatchOf(request));
    },
  );
}
