/**
 * Two variants of the gateway checks of auth.ts, for the routes Sluice Studio added (issue 11):
 *
 * - `registerOrgAuth`: org-level calls (the Sandbox Management API, whoami). Token, API key and org are
 *   checked exactly as everywhere; `x-sandbox-name` is optional (Adobe's sandbox listing needs none),
 *   and when sent it must name a sandbox of the org. Only GET routes are registered behind it.
 * - `registerReadAuth`: the full checks of auth.ts (sandbox included) for routes that only read although
 *   they are POSTs (the SQL console): a read-only token may use them, since they change nothing.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import type { IdentityService, OrgPrincipal } from '../services/identity.ts';
import { throttled, type AuthThrottle } from './auth-throttle.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: OrgPrincipal;
    /** The sandbox named by x-sandbox-name on an org-level route, when sent. */
    principalSandbox?: string;
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const credentialsOf = (request: FastifyRequest) => ({
  authorization: header(request, 'authorization'),
  apiKey: header(request, 'x-api-key'),
  orgId: header(request, 'x-gw-ims-org-id'),
});

export function registerOrgAuth(
  app: FastifyInstance,
  identity: IdentityService,
  options: { throttle: AuthThrottle },
): void {
  app.addHook('onRequest', async (request) => {
    const principal = await throttled(options.throttle, request.ip, () =>
      identity.authenticateOrg(credentialsOf(request)),
    );
    const sandboxName = header(request, 'x-sandbox-name')?.trim();
    if (sandboxName !== undefined && sandboxName !== '') {
      const known = (await identity.listSandboxes(principal.orgId)).some((s) => s.name === sandboxName);
      if (!known)
        throw new AppError(
          'FLOW-2100-404',
          `The sandbox with the name '${sandboxName}' could not be found in this organization.`,
        );
      request.principalSandbox = sandboxName;
    }
    request.principal = principal;
  });
}

export function registerReadAuth(
  app: FastifyInstance,
  identity: IdentityService,
  options: { defaultSandbox: boolean; throttle: AuthThrottle },
): void {
  app.addHook('onRequest', async (request) => {
    request.actor = await throttled(options.throttle, request.ip, () =>
      identity.authenticate(
        { ...credentialsOf(request), sandboxName: header(request, 'x-sandbox-name') },
        { defaultSandbox: options.defaultSandbox },
      ),
    );
  });
}

/** The principal of an org-level request (the hook guarantees it on every route behind it). */
export function principalOf(request: FastifyRequest): OrgPrincipal {
  if (!request.principal) throw new Error('route registered outside the org-authenticated scope');
  return request.principal;
}
