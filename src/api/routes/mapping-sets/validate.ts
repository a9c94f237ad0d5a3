import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { MappingSetBody } from './schemas.ts';

const Problem = Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: true });

export function validateMappingSet(app: App, deps: RouteDeps): void {
  app.post(
    '/mappingSets/validate',
    {
      schema: {
        summary: 'Validate a mapping set without storing it: a status per mapping and every problem',
        tags: ['mappingSets'],
        body: MappingSetBody,
        response: {
          200: Type.Object({
            validationResponse: Type.Array(
              Type.Object({
                status: Type.Union([Type.Literal('SUCCESS'), Type.Literal('ERROR')]),
                errors: Type.Union([Type.Null(), Type.Array(Problem)]),
              }),
            ),
            problems: Type.Array(
              Type.Object({ ...Problem.properties, index: Type.Optional(Type.Integer()) }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      return deps.mappingSets.validate(actorOf(request), request.body);
    },
  );
}
