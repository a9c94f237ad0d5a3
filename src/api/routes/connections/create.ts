import { Type } from 'typebox';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from '../../../domain/limits.ts';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { CreatedResponse, errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export const ConnectionBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: NAME_MAX_LENGTH }),
    description: Type.Optional(Type.String({ maxLength: DESCRIPTION_MAX_LENGTH })),
    auth: Type.Object({
      specName: Type.String({ minLength: 1, description: 'One of the connection spec authSpec[].name.' }),
      params: Type.Record(Type.String(), Type.Unknown(), {
        description: 'Validated against that auth spec.',
      }),
    }),
    connectionSpec: Type.Object({ id: Type.String({ minLength: 1 }), version: Type.Optional(Type.String()) }),
  },
  { additionalProperties: true },
);

/** Fields the server owns; sending them is a mistake worth naming (Adobe: 1410). */
export const SERVER_OWNED = [
  'id',
  'state',
  'etag',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'imsOrgId',
  'sandboxId',
  'sandboxName',
];

export function assertNoServerOwnedFields(body: object): void {
  const owned = SERVER_OWNED.filter((field) => field in body);
  if (owned.length > 0) {
    throw new AppError(
      'FLOW-1410-400',
      `The field(s) ${owned.join(', ')} are set by the server and may not appear in the request body.`,
    );
  }
}

export function parseMode(query: Record<string, unknown>): { draft: boolean } {
  assertKnownParams(query, ['mode']);
  const mode = query['mode'];
  if (mode === undefined) return { draft: false };
  if (typeof mode === 'string' && mode.toLowerCase() === 'draft') return { draft: true };
  throw new AppError(
    'FLOW-1368-400',
    `The mode '${JSON.stringify(mode)}' is not supported; the only mode is mode=draft.`,
  );
}

export function createConnection(app: App, deps: RouteDeps): void {
  app.post(
    '/connections',
    {
      schema: {
        summary: 'Create a base connection (verified live unless mode=draft)',
        tags: ['connections'],
        querystring: Type.Object({ mode: Type.Optional(Type.String()) }, { additionalProperties: true }),
        body: ConnectionBody,
        response: { 201: CreatedResponse, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { draft } = parseMode(request.query);
      assertNoServerOwnedFields(request.body);
      const created = await deps.connections.create(actorOf(request), request.body, { draft });
      return reply.status(201).send(created);
    },
  );
}
