import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import { actorOf } from '../../auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';
import { MappingSetParams, MappingSetResponse } from './schemas.ts';

/** A query value as the client sent it (a repeated parameter arrives as an array). */
export const shown = (raw: unknown): string => (typeof raw === 'string' ? raw : JSON.stringify(raw));

/** `version` as a query value: a whole number, or absent for the latest. */
export function parseVersionParam(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw.trim())) {
    throw new AppError('FLOW-1401-400', `The version '${shown(raw)}' is not a version number (0, 1, ...).`);
  }
  return Number(raw.trim());
}

/** `expandSchema` is accepted for Adobe compatibility; Sluice has no Schema Registry to expand from. */
export function parseExpandSchema(raw: unknown): void {
  if (raw !== undefined && raw !== 'true' && raw !== 'false') {
    throw new AppError('FLOW-1401-400', `The expandSchema '${shown(raw)}' must be true or false.`);
  }
}

export function getMappingSet(app: App, deps: RouteDeps): void {
  app.get(
    '/mappingSets/:id',
    {
      schema: {
        summary: 'Get a mapping set: the latest version, or ?version=N',
        tags: ['mappingSets'],
        params: MappingSetParams,
        querystring: Type.Object(
          { version: Type.Optional(Type.String()), expandSchema: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
        response: { 200: MappingSetResponse, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['version', 'expandSchema']);
      parseExpandSchema(query['expandSchema']);
      return deps.mappingSets.get(actorOf(request), request.params.id, parseVersionParam(query['version']));
    },
  );
}
