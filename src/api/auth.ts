/**
 * The gateway checks of every Flow Service call: identity headers → actor (org, sandbox, user, client),
 * and read-only tokens refused on writes. Runs before validation so a bad token never reaches a handler.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../domain/errors.ts';
import type { AuthenticatedActor, IdentityService } from '../services/identity.ts';
import { countFailure, type AuthThrottle } from './auth-throttle.ts';

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
  const { throttle } = options;
  const authOptions = { defaultSandbox: options.defaultSandbox };
  // A callback hook (no async function and promise chain of its own per request); the throttle steps are
  // those of `throttled`: refused while blocked, a wrong credential counted.
  app.addHook('onRequest', (request, _reply, done) => {
    const ip = request.ip;
    let authenticated: Promise<AuthenticatedActor>;
    try {
      throttle.assertAllowed(ip);
      authenticated = identity.authenticate(
        {
          authorization: header(request, 'authorization'),
          apiKey: header(request, 'x-api-key'),
          orgId: header(request, 'x-gw-ims-org-id'),
          sandboxName: header(request, 'x-sandbox-name'),
        },
        authOptions,
      );
    } catch (error) {
      done(error as Error);
      return;
    }
    authenticated.then(
      (actor) => {
        if (actor.readOnly && request.method !== 'GET' && request.method !== 'HEAD') {
          done(
            new AppError(
              'FLOW-2118-403',
              'The permission write is missing: this access token is read-only. Use a token created without --read-only.',
            ),
          );
          return;
        }
        request.actor = actor;
        done();
      },
      (error: unknown) => {
        countFailure(throttle, ip, error);
        done(error as Error);
      },
    );
  });
}

/** The actor of an authenticated request (the hook guarantees it on every Flow Service route). */
export function actorOf(request: FastifyRequest): AuthenticatedActor {
  if (!request.actor) throw new Error('route registered outside the authenticated scope');
  return request.actor;
}
