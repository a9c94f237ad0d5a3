/**
 * `GET /data/foundation/sluice/whoami`: who the signed-in credentials are (org, sandbox, read-only or
 * not, token expiry). A Sluice extension, under a service name of its own so that no client mistakes it
 * for an Adobe API: Adobe's gateway answers this from its IMS profile, which Sluice does not have.
 * It never returns a secret: the token id is the public part of the token (`slt_<id>_…`).
 */
import { Type } from 'typebox';
import { assertKnownParams } from '../../../domain/listing.ts';
import { principalOf } from '../../org-auth.ts';
import { errorResponses } from '../../schemas.ts';
import type { App, RouteDeps } from '../../types.ts';

export const SLUICE_PREFIX = '/data/foundation/sluice';

const WhoAmI = Type.Object({
  imsOrg: Type.String(),
  orgName: Type.String(),
  sandboxName: Type.Union([Type.String(), Type.Null()], {
    description: 'The sandbox of x-sandbox-name, or null when the request named none.',
  }),
  userId: Type.String(),
  clientId: Type.String({ description: 'The API key’s client name.' }),
  tokenId: Type.String({ description: 'The public id of the access token (never the secret).' }),
  tokenName: Type.String(),
  readOnly: Type.Boolean({ description: 'True: every write is refused with FLOW-2118-403.' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

export function registerWhoAmI(app: App, deps: RouteDeps): void {
  app.get(
    '/whoami',
    {
      schema: {
        summary: 'The signed-in credentials: org, sandbox, read-only or not, token expiry (Sluice extension)',
        tags: ['sluice'],
        response: { 200: WhoAmI, ...errorResponses },
      },
    },
    async (request) => {
      assertKnownParams(request.query as Record<string, unknown>, []);
      const principal = principalOf(request);
      const org = (await deps.identity.listOrgs()).find((candidate) => candidate.id === principal.orgId);
      return {
        imsOrg: principal.orgId,
        orgName: org?.name ?? principal.orgId,
        sandboxName: request.principalSandbox ?? null,
        userId: principal.userId,
        clientId: principal.clientId,
        tokenId: principal.tokenId,
        tokenName: principal.tokenName,
        readOnly: principal.readOnly,
        expiresAt: principal.expiresAt === null ? null : new Date(principal.expiresAt).toISOString(),
      };
    },
  );
}
