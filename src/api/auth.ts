/**
 * The gateway checks of every Flow Service call: identity headers → actor (org, sandbox, user, client),
 * and read-only tokens refused on writes. Runs before validation so a bad token never reaches a handler.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import type { AuthenticatedActor, IdentityService } from '../services/identity.ts';
import { throttled, type AuthThrottle } from './auth-throttle.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: AuthenticatedActor;
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function registerAuth(
  app: FastifyInstance,
  identity: IdentityService,
  options: { defaultSandbox: boolean; throttle: AuthThrottle },
): void {
  app.addHook('onRequest', async (request) => {
    const actor: AuthenticatedActor = await throttled(options.throttle, request.ip, () =>
      identity.authenticate(
        {
          authorization: header(request, 'authorization'),
          apiKey: header(request, 'x-api-key'),
          orgId: header(request, 'x-gw-ims-org-id'),
          sandboxName: header(request, 'x-sandbox-name'),
        },
        { defaultSandbox: options.defaultSandbox },
      ),
    );
    if (actor.readOnly && request.method !== 'GET' && request.method !== 'HEAD') {
      throw new AppError(
        'FLOW-2118-403',
        'The permission write is missing: this access token is read-only. Use a token created without --read-only.',
      );
    }
    request.actor = actor;
  });
}

/** The actor of an authenticated request (the hook guarantees it on every Flow Service route). */
export function actorOf(request: FastifyRequest): AuthenticatedActor {
  if (!request.actor) throw new Error('route registered outside the authenticated scope');
  return request.actor;
}
