import { Type } from 'typebox';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

const DatasetBody = Type.Object(
  {
    name: Type.Optional(Type.Unknown({ description: "Required: unique among the sandbox's datasets." })),
    description: Type.Optional(Type.Unknown()),
    schema: Type.Optional(
      Type.Unknown({
        description:
          'Required in Sluice (no Schema Registry): { fields: [{ name, type, fields?, precision?, scale? }] } with normalized types or object.',
      }),
    ),
    schemaRef: Type.Optional(Type.Unknown({ description: 'Stored and returned, not resolved.' })),
    tags: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);

export function createDataset(app: App, deps: RouteDeps): void {
  app.post(
    '/dataSets',
    {
      schema: {
        summary: 'Create a dataset',
        tags: ['catalog'],
        querystring: Type.Object({}, { additionalProperties: true }),
        body: DatasetBody,
        response: {
          201: Type.Array(Type.String(), { description: '["@/dataSets/<id>"]' }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const dataset = await deps.datasets.create(actorOf(request), request.body);
      return reply.status(201).send([`@/dataSets/${dataset.id}`]);
    },
  );
}
