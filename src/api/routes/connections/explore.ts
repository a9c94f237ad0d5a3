import { Type } from 'typebox';
import { actorOf } from '../../auth.ts';
import { errorResponses, IdParams } from '../../schemas.ts';
import { parseExploreQuery } from '../../../services/explore.ts';
import type { App, RouteDeps } from '../../types.ts';

export function exploreConnection(app: App, deps: RouteDeps): void {
  app.get(
    '/connections/:id/explore',
    {
      schema: {
        summary: 'Explore a connection: list tables (objectType=root), a table schema, or a preview',
        tags: ['connections'],
        params: IdParams,
        querystring: Type.Object(
          {
            objectType: Type.Optional(Type.String({ description: 'root | table' })),
            object: Type.Optional(Type.String({ description: 'A path from the root listing.' })),
            preview: Type.Optional(Type.String({ description: 'true adds data: [rows].' })),
            count: Type.Optional(Type.String({ description: 'Rows to preview, 1..100 (default 10).' })),
            filters: Type.Optional(Type.String({ description: 'base64 of a PQL filter JSON.' })),
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Unknown({
            description: 'An array of tables (root), or {format, schema: {columns}, data?}.',
          }),
          ...errorResponses,
          502: errorResponses[400],
          504: errorResponses[400],
        },
      },
    },
    async (request) => {
      const parsed = parseExploreQuery(request.query);
      return deps.explore.explore(actorOf(request), request.params.id, parsed);
    },
  );
}
