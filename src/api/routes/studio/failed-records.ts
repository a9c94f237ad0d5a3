/**
 * Adobe's Data Access API for failed records, `GET /data/foundation/export/batches/{batchId}/failed`:
 * without `path`, the list of the batch's failed files (`data: [{ name, length, _links.self.href }]`);
 * with `?path=<name>`, that file streamed as JSON lines (`application/x-ndjson`, an attachment).
 * services/failed-records.ts guarantees that nothing outside the batch's lake folder is ever read.
 */
import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { noFailedRecords } from '../../../services/failed-records.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export const EXPORT_PREFIX = '/data/foundation/export';

const FailedList = Type.Object({
  data: Type.Array(
    Type.Object({
      name: Type.String(),
      length: Type.Integer({ description: 'Bytes.' }),
      _links: Type.Object({ self: Type.Object({ href: Type.String() }) }),
    }),
  ),
  _page: Type.Object({ count: Type.Integer(), limit: Type.Integer() }),
});

export function registerFailedRecordRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/batches/:batchId/failed',
    {
      schema: {
        summary: "A batch's failed records: the list of files, or one file (?path=) as JSON lines",
        tags: ['export'],
        params: Type.Object({ batchId: Type.String() }),
        querystring: Type.Object({ path: Type.Optional(Type.String()) }, { additionalProperties: true }),
        response: {
          200: Type.Union([FailedList], {
            description: 'The list of files; with ?path=, the file itself as application/x-ndjson.',
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['path']);
      const { batchId } = request.params;
      const files = await deps.failedRecords.list(actorOf(request), batchId);
      const path = query['path'];
      if (path === undefined) {
        return {
          data: files.map((file) => ({
            name: file.name,
            length: file.length,
            _links: {
              self: {
                href: `${EXPORT_PREFIX}/batches/${batchId}/failed?path=${encodeURIComponent(file.name)}`,
              },
            },
          })),
          _page: { count: files.length, limit: 100 },
        };
      }
      if (files.length === 0) throw noFailedRecords(batchId);
      const file = files.find((candidate) => candidate.name === path);
      if (!file)
        throw new AppError(
          'EXPORT-1002-400',
          `path must name one of the batch's failed files (${files.map((f) => f.name).join(', ')}); list them without path.`,
        );
      return reply
        .type('application/x-ndjson')
        .header('content-disposition', `attachment; filename="${batchId}-${file.name}"`)
        .header('content-length', String(file.length))
        .send(file.open() as never);
    },
  );
}
