/**
 * Adobe's Sandbox Management API, read-only: `GET /sandboxes` (the org's sandboxes, paged with limit and
 * offset) and `GET /sandboxes/{name}`, in Adobe's shapes. Sluice has no sandbox types or regions of its
 * own: `prod` is the default `production` sandbox, every other one is `development`, all `active`.
 */
import { Type } from 'typebox';
import { AppError } from '../../../domain/errors.ts';
import { assertKnownParams } from '../../../domain/listing.ts';
import type { Sandbox } from '../../../domain/tenancy.ts';
import { principalOf } from '../../org-auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export const SANDBOX_MANAGEMENT_PREFIX = '/data/foundation/sandbox-management';

export const SandboxView = Type.Object(
  {
    name: Type.String(),
    title: Type.String(),
    state: Type.Literal('active'),
    type: Type.Union([Type.Literal('production'), Type.Literal('development')]),
    isDefault: Type.Boolean(),
    region: Type.String(),
    createdDate: Type.String({ format: 'date-time' }),
    lastModifiedDate: Type.String({ format: 'date-time' }),
    createdBy: Type.String(),
    lastModifiedBy: Type.String(),
  },
  { description: 'A sandbox in the shape of Adobe’s Sandbox Management API.' },
);

const SandboxList = Type.Object({
  sandboxes: Type.Array(SandboxView),
  _page: Type.Object({ limit: Type.Integer(), offset: Type.Integer(), count: Type.Integer() }),
  _links: Type.Object({ next: Type.Optional(Type.Object({ href: Type.String() })) }),
});

export const sandboxView = (sandbox: Sandbox) => {
  const at = new Date(sandbox.createdAt).toISOString();
  return {
    name: sandbox.name,
    title: sandbox.title,
    state: 'active' as const,
    type: sandbox.name === 'prod' ? ('production' as const) : ('development' as const),
    isDefault: sandbox.name === 'prod',
    region: 'local',
    createdDate: at,
    lastModifiedDate: at,
    createdBy: 'sluice',
    lastModifiedBy: 'sluice',
  };
};

function wholeNumber(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max)
    throw new AppError('FLOW-1402-400', `${name} must be a whole number in ${min}..${max}.`);
  return number;
}

export function registerSandboxRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/sandboxes',
    {
      schema: {
        summary: "The organization's sandboxes (Adobe's Sandbox Management API; x-sandbox-name optional)",
        tags: ['sandbox-management'],
        querystring: Type.Object(
          { limit: Type.Optional(Type.String()), offset: Type.Optional(Type.String()) },
          { additionalProperties: true },
        ),
        response: { 200: SandboxList, ...errorResponses },
      },
    },
    async (request) => {
      const query = request.query as Record<string, unknown>;
      assertKnownParams(query, ['limit', 'offset']);
      const limit = wholeNumber(query['limit'], 'limit', 50, 1, 100);
      const offset = wholeNumber(query['offset'], 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      const all = (await deps.identity.listSandboxes(principalOf(request).orgId)).sort((a, b) =>
        a.name.localeCompare(b.name),
      );
      const page = all.slice(offset, offset + limit);
      return {
        sandboxes: page.map(sandboxView),
        _page: { limit, offset, count: page.length },
        _links:
          offset + limit < all.length
            ? {
                next: {
                  href: `${SANDBOX_MANAGEMENT_PREFIX}/sandboxes?limit=${limit}&offset=${offset + limit}`,
                },
              }
            : {},
      };
    },
  );

  app.get(
    '/sandboxes/:name',
    {
      schema: {
        summary: 'One sandbox by name',
        tags: ['sandbox-management'],
        params: Type.Object({ name: Type.String() }),
        response: { 200: SandboxView, ...errorResponses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const sandbox = (await deps.identity.listSandboxes(principalOf(request).orgId)).find(
        (candidate) => candidate.name === request.params.name,
      );
      if (!sandbox)
        throw new AppError(
          'FLOW-2100-404',
          `The sandbox with the name '${request.params.name}' could not be found in this organization.`,
        );
      return sandboxView(sandbox);
    },
  );
}
