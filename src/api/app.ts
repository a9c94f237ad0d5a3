/**
 * buildApp(deps): the HTTP surface. Flow Service routes live under /data/foundation/flowservice behind
 * the gateway checks; /openapi.json and /docs (served locally) are generated from the route schemas.
 */
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  LogController,
  type preSerializationHookHandler,
} from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { documentLimits } from '../domain/limits.ts';
import { registerAuth } from './auth.ts';
import { lazyChildLogger } from './request-logger.ts';
import { lazySerializerFactory, lazyValidatorFactory } from './lazy-compilers.ts';
import { createAuthThrottle } from './auth-throttle.ts';
import { registerErrorHandling } from './error-handler.ts';
import { HEALTH_PATHS, registerHealthRoutes } from './health.ts';
import { createOutageMonitor } from './outage-monitor.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  MAX_PARAM_LENGTH,
  refuseConnect,
  registerJsonBodies,
  registerUrlChecks,
} from './request-edge.ts';
import { registerFlowServiceRoutes } from './routes/index.ts';
import { CATALOG_PREFIX, registerCatalogRoutes } from './routes/datasets/index.ts';
import { CONVERSION_PREFIX, registerConversionRoutes } from './routes/mapping-sets/index.ts';
import { registerSchemaRegistryRoutes, SCHEMA_REGISTRY_PREFIX } from './routes/schemas/index.ts';
import { FLOW_SERVICE_PREFIX, ItemsResponse, ListResponse } from './schemas.ts';
import { registerStudio } from './routes/studio/index.ts';
import type { App, RouteDeps } from './types.ts';

export interface AppOptions {
  readonly bodyLimit: number;
  readonly defaultSandbox: boolean;
  /** Failed authentications per client address and window before 429 (auth-throttle.ts). */
  readonly authFailures: { readonly limit: number; readonly windowMs: number };
  readonly logger: FastifyBaseLogger | boolean;
  /** The built UI (ui/dist) to serve at `/`; undefined serves no UI. */
  readonly uiDir?: string;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

const plainJson = (payload: unknown): string => JSON.stringify(payload);

const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
/** Whether a logger at `current` writes `level` (an unknown level: yes, the logger decides). */
const logs = (current: string | undefined, level: 'debug' | 'info'): boolean =>
  current === 'silent' ? false : (LEVELS[current ?? ''] ?? 0) <= (LEVELS[level] ?? 0);

/**
 * Entity bodies (200 with `ItemsResponse` or `ListResponse`: items of `additionalProperties: true`
 * objects) are serialised with `JSON.stringify`. fast-json-stringify has no property to compile there and
 * calls JSON.stringify per property, at ≈ 2.8× the cost for a 50-item page (docs/benchmarks.md); the
 * output is the same bytes. The schemas still describe the routes in /openapi.json, and every other
 * status (the problem documents) keeps its compiled serializer.
 */
function serializeEntityBodiesAsJson(app: { addHook: FastifyInstance['addHook'] }): void {
  app.addHook('onRoute', (route) => {
    const response = (route.schema as { response?: Record<string, unknown> } | undefined)?.response;
    const ok = response?.[200] ?? response?.['200'];
    if (ok !== ItemsResponse && ok !== ListResponse) return;
    const hook: preSerializationHookHandler = (_request, reply, payload, done) => {
      if (reply.statusCode === 200) reply.serializer(plainJson);
      done(null, payload);
    };
    const existing = route.preSerialization;
    route.preSerialization =
      existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
  });
}

export async function buildApp(deps: RouteDeps, options: AppOptions): Promise<App> {
  const app = Fastify({
    ...(typeof options.logger === 'object' ? { loggerInstance: options.logger } : { logger: options.logger }),
    bodyLimit: options.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
    // Node answers a request without Host itself, bare; request-edge.ts answers it as problem JSON.
    http: { requireHostHeader: false },
    requestIdHeader: false,
    // One access line per request (below) instead of Fastify's two: logging is the largest per-request cost.
    logController: new LogController({ disableRequestLogging: true }),
    // request.log makes its pino child on the first line (request-logger.ts): at warn, most never do.
    childLoggerFactory: lazyChildLogger,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
    schemaController: {
      compilersFactory: { buildValidator: lazyValidatorFactory(), buildSerializer: lazySerializerFactory() },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  refuseConnect(app.server);
  serializeEntityBodiesAsJson(app);
  registerUrlChecks(app);
  registerJsonBodies(app, documentLimits(options.bodyLimit));
  // Callback hooks (no promise per request); the access line is built only when its level is on.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    // Below info (warn, the usual production level) neither line is written: nothing to build.
    if (!logs(request.log.level, 'info')) {
      done();
      return;
    }
    const path = request.url.split('?')[0] ?? '';
    // Probes every few seconds would drown the access log: they are logged at debug level.
    const level = (HEALTH_PATHS as readonly string[]).includes(path) ? 'debug' : 'info';
    if (logs(request.log.level, level)) {
      request.log[level](
        {
          method: request.method,
          path,
          statusCode: reply.statusCode,
          responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
          ...(request.actor ? { org: request.actor.orgId, sandbox: request.actor.sandboxName } : {}),
        },
        'request',
      );
    }
    done();
  });

  const storeMonitor = createOutageMonitor({ name: 'store', probe: deps.health.probeStore, log: app.log });
  const throttle = createAuthThrottle({ ...options.authFailures, log: app.log });
  app.addHook('onClose', () => {
    storeMonitor.close();
    throttle.close();
  });
  const auth = { defaultSandbox: options.defaultSandbox, throttle };
  registerErrorHandling(app, { isStoreUnavailable: deps.health.isStoreUnavailable, storeMonitor });
  registerHealthRoutes(app, [
    { name: 'store', check: () => storeMonitor.check().then((ok) => ok || Promise.reject(new Error())) },
    ...deps.health.checks,
  ]);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Sluice — Flow Service API',
        version: '1.0',
        description:
          "An open implementation of Adobe Experience Platform's Flow Service API (sources). Every call needs Authorization: Bearer, x-api-key, x-gw-ims-org-id and x-sandbox-name.",
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          org: { type: 'apiKey', in: 'header', name: 'x-gw-ims-org-id' },
          sandbox: { type: 'apiKey', in: 'header', name: 'x-sandbox-name' },
        },
      },
      security: [{ bearer: [], apiKey: [], org: [], sandbox: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());

  await app.register(
    (scope, _options, done) => {
      registerAuth(scope, deps.identity, auth);
      registerFlowServiceRoutes(scope, deps);
      done();
    },
    { prefix: FLOW_SERVICE_PREFIX },
  );
  await app.register(
    (scope, _options, done) => {
      registerAuth(scope, deps.identity, auth);
      registerCatalogRoutes(scope, deps);
      done();
    },
    { prefix: CATALOG_PREFIX },
  );
  await app.register(
    (scope, _options, done) => {
      registerAuth(scope, deps.identity, auth);
      registerConversionRoutes(scope, deps);
      done();
    },
    { prefix: CONVERSION_PREFIX },
  );
  await app.register(
    (scope, _options, done) => {
      registerAuth(scope, deps.identity, auth);
      registerSchemaRegistryRoutes(scope, deps);
      done();
    },
    { prefix: SCHEMA_REGISTRY_PREFIX },
  );
  await registerStudio(app, deps, { auth, uiDir: options.uiDir });
  return app;
}
