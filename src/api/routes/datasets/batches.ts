import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { DatasetIdParams } from './get.ts';
import { KeyedResponse } from './list.ts';
import { batchView, intParam, pickProperties } from './views.ts';

export function listDatasetBatches(app: App, deps: RouteDeps): void {
  app.get(
    '/dataSets/:id/batches',
    {
      schema: {
        summary: "A dataset's batches, newest first (keyed by batch id)",
        tags: ['catalog'],
        params: DatasetIdParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.String()),
            start: Type.Optional(Type.String()),
            properties: Type.Optional(Type.String()),
          },
          { additionalProperties: true },
        ),
        response: { 200: KeyedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['limit', 'start', 'properties']);
      const batches = await deps.datasets.listBatches(actorOf(request), request.params.id, {
        limit: intParam(query['limit'], 'limit', 50, 1, 100),
        start: intParam(query['start'], 'start', 0, 0, Number.MAX_SAFE_INTEGER),
      });
      return Object.fromEntries(
        batches.map((batch) => [batch.id, pickProperties(batchView(batch), query['properties'])]),
      );
    },
  );
}

export function getBatch(app: App, deps: RouteDeps): void {
  app.get(
    '/batches/:id',
    {
      schema: {
        summary: 'Get a batch ({ "<id>": {...} })',
        tags: ['catalog'],
        params: Type.Object({ id: Type.String({ description: 'The batch id (26 characters).' }) }),
        response: { 200: KeyedResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['properties']);
      const batch = await deps.datasets.getBatch(actorOf(request), request.params.id);
      return { [batch.id]: pickProperties(batchView(batch), query['properties']) };
    },
  );
}
