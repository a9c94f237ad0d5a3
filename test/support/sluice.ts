/**
 * A whole Sluice (real store, real connectors, real crypto) in a temp dir, with an in-process app and
 * the credentials of a bootstrapped org. `dialect: 'postgres'` puts the store in a fresh PostgreSQL schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import type { App } from '../../src/api/types.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { ConnectorModule } from '../../src/connectors/connector.ts';
import type { IssuedCredentials } from '../../src/services/identity.ts';
import { createSluice, type Sluice } from '../../src/sluice.ts';
import { createTestSchema, type TestSchema } from './postgres.ts';

export const BASE = '/data/foundation/flowservice';

export interface TestSluice {
  readonly sluice: Sluice;
  readonly app: App;
  readonly credentials: IssuedCredentials;
  /** Every log line the app wrote, for secret-leak assertions. */
  readonly logs: string[];
  headers(overrides?: Record<string, string | undefined>): Record<string, string>;
  request(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    path: string,
    options?: { body?: unknown; headers?: Record<string, string | undefined>; raw?: string },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startTestSluice(
  options: {
    dialect?: 'sqlite' | 'postgres';
    env?: Record<string, string>;
    /** Connector modules instead of the registry's (a test's wrapper around a real one). */
    connectors?: readonly ConnectorModule[];
    /** PostgreSQL: the URL Sluice connects to (e.g. through a proxy); the schema is made directly. */
    postgresUrl?: string;
  } = {},
): Promise<TestSluice> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  let schema: TestSchema | undefined;
  if (options.dialect === 'postgres') schema = await createTestSchema();
  const config = loadConfig({
    SLUICE_DATA_DIR: dir,
    SLUICE_STAGE_TIMEOUT_MS: '3000',
    ...(schema === undefined
      ? {}
      : {
          SLUICE_DATABASE_URL: schema.url,
          SLUICE_QUEUE_SCHEMA: schema.queueSchema,
          SLUICE_QUEUE_MONITOR_MS: '1000',
        }),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  // One logger for the API and the workers, so tests see every line either writes.
  const logger = createLogger('trace', sink);
  const sluice = await createSluice(config, {
    logger,
    ...(options.connectors === undefined ? {} : { connectors: options.connectors }),
    ...(schema === undefined
      ? {}
      : {
          storeOptions: { kind: 'postgres', url: options.postgresUrl ?? schema.url, schema: schema.schema },
        }),
  });
  const app = await sluice.buildApp(logger);
  const created = await sluice.identity.createOrg('Test Org');

  const headers = (overrides: Record<string, string | undefined> = {}): Record<string, string> => {
    const base: Record<string, string | undefined> = {
      authorization: `Bearer ${created.accessToken}`,
      'x-api-key': created.apiKey,
      'x-gw-ims-org-id': created.org.id,
      'x-sandbox-name': 'prod',
      ...overrides,
    };
    return Object.fromEntries(
      Object.entries(base).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
  };

  return {
    sluice,
    app,
    credentials: created,
    logs,
    headers,
    request: (method, path, requestOptions = {}) =>
      app.inject({
        method,
        // Paths under /data/… (any service), /openapi and /docs are absolute; others are Flow Service paths.
        url: /^\/(data|openapi|docs)\b/.test(path) ? path : `${BASE}${path}`,
        headers: {
          ...headers(requestOptions.headers),
          ...(requestOptions.body !== undefined || requestOptions.raw !== undefined
            ? { 'content-type': 'application/json' }
            : {}),
          ...Object.fromEntries(
            Object.entries(requestOptions.headers ?? {}).filter(
              (entry): entry is [string, string] => entry[1] !== undefined,
            ),
          ),
        },
        ...(requestOptions.raw !== undefined
          ? { payload: requestOptions.raw }
          : requestOptions.body !== undefined
            ? { payload: JSON.stringify(requestOptions.body) }
            : {}),
      }),
    async close() {
      await app.close();
      await sluice.close();
      if (schema) await schema.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
