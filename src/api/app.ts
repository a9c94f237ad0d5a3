/**
 * buildApp(deps): the HTTP surface. Flow Service routes live under /data/foundation/flowservice behind
 * the gateway checks; /openapi.json and /docs (served locally) are generated from the route schemas.
 */
import Fastify, { type FastifyBaseLogger, LogController } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { randomUUID } from 'node:crypto';
import { registerAuth } from './auth.ts';
import { registerErrorHandling } from './error-handler.ts';
import { registerFlowServiceRoutes } from './routes/index.ts';
import { CATALOG_PREFIX, registerCatalogRoutes } from './routes/datasets/index.ts';
import { CONVERSION_PREFIX, registerConversionRoutes } from './routes/mapping-sets/index.ts';
import { FLOW_SERVICE_PREFIX } from './schemas.ts';
import { registerStudio } from './routes/studio/index.ts';
import type { App, RouteDeps } from './types.ts';

export interface AppOptions {
  readonly bodyLimit: number;
  readonly defaultSandbox: boolean;
  readonly logger: FastifyBaseLogger | boolean;
  /** The built UI (ui/dist) to serve at `/`; undefined serves no UI. */
  readonly uiDir?: string;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function buildApp(deps: RouteDeps, options: AppOptions): Promise<App> {
  const app = Fastify({
    ...(typeof options.logger === 'object' ? { loggerInstance: options.logger } : { logger: options.logger }),
    bodyLimit: options.bodyLimit,
    routerOptions: { ignoreTrailingSlash: true },
    requestIdHeader: false,
    // One access line per request (below) instead of Fastify's two: logging is the largest per-request cost.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON bodies; an empty body is `undefined` (action calls send none) and JSON Patch has its own type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    ['application/json', 'application/json-patch+json'],
    { parseAs: 'string' },
    (_request, body: string, done) => {
      if (body.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(body));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: request.url.split('?')[0],
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
        ...(request.actor ? { org: request.actor.orgId, sandbox: request.actor.sandboxName } : {}),
      },
      'request',
    );
  });

  registerErrorHandling(app);

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
      registerAuth(scope, deps.identity, { defaultSandbox: options.defaultSandbox });
      registerFlowServiceRoutes(scope, deps);
      done();
    },
    { prefix: FLOW_SERVICE_PREFIX },
  );
  await app.register(
    (scope, _options, done) => {
      registerAuth(scope, deps.identity, { defaultSandbox: options.defaultSandbox });
      registerCatalogRoutes(scope, deps);
      done();
    },
    { prefix: CATALOG_PREFIX },
  );
  await app.register(
    (scope, _options, done) => {
      registerAuth(scope, deps.identity, { defaultSandbox: options.defaultSandbox });
      registerConversionRoutes(scope, deps);
      done();
    },
    { prefix: CONVERSION_PREFIX },
  );
  await registerStudio(app, deps, { defaultSandbox: options.defaultSandbox, uiDir: options.uiDir });
  return app;
}
