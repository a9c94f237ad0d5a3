import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses, IdParams } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

const TestResponse = Type.Object({
  result: Type.Boolean(),
  testedAt: Type.Integer({ description: 'Epoch ms.' }),
  stages: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.Union([Type.Literal('passed'), Type.Literal('failed'), Type.Literal('skipped')]),
      durationMs: Type.Number(),
      message: Type.Optional(Type.String()),
    }),
  ),
});

export function testConnection(app: App, deps: RouteDeps): void {
  app.get(
    '/connections/:id/test',
    {
      schema: {
        summary: 'Re-run the live verification of a connection and report each stage',
        tags: ['connections'],
        params: IdParams,
        response: { 200: TestResponse, ...errorResponses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const verification = await deps.connections.test(actorOf(request), request.params.id);
      return { ...verification, stages: [...verification.stages] };
    },
  );
}
