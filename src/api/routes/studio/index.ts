/**
 * The routes Sluice Studio needs beyond the Flow Service, Catalog and Conversion APIs (issue 11), each in
 * its Adobe service's namespace and behind the gateway checks, plus the UI itself on the same origin.
 */
import type { AuthThrottle } from '../../auth-throttle.ts';
import { registerAuth } from '../../auth.ts';
import { registerOrgAuth, registerReadAuth } from '../../org-auth.ts';
import { registerUi } from '../../ui-static.ts';
import type { App, RouteDeps } from '../../types.ts';
import { EXPORT_PREFIX, registerFailedRecordRoutes } from './failed-records.ts';
import { QUERY_PREFIX, registerQueryRoutes } from './queries.ts';
import { registerSandboxRoutes, SANDBOX_MANAGEMENT_PREFIX } from './sandboxes.ts';
import { registerWhoAmI, SLUICE_PREFIX } from './whoami.ts';

export async function registerStudio(
  app: App,
  deps: RouteDeps,
  options: { auth: { defaultSandbox: boolean; throttle: AuthThrottle }; uiDir: string | undefined },
): Promise<void> {
  const scoped = async (prefix: string, register: (scope: App) => void): Promise<void> => {
    await app.register(
      (scope, _options, done) => {
        register(scope);
        done();
      },
      { prefix },
    );
  };
  await scoped(SANDBOX_MANAGEMENT_PREFIX, (scope) => {
    registerOrgAuth(scope, deps.identity, options.auth);
    registerSandboxRoutes(scope, deps);
  });
  await scoped(SLUICE_PREFIX, (scope) => {
    registerOrgAuth(scope, deps.identity, options.auth);
    registerWhoAmI(scope, deps);
  });
  await scoped(QUERY_PREFIX, (scope) => {
    registerReadAuth(scope, deps.identity, options.auth);
    registerQueryRoutes(scope, deps);
  });
  await scoped(EXPORT_PREFIX, (scope) => {
    registerAuth(scope, deps.identity, options.auth);
    registerFailedRecordRoutes(scope, deps);
  });
  if (options.uiDir !== undefined) await registerUi(app, options.uiDir);
}
