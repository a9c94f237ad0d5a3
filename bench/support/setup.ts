/**
 * The benchmark's subjects: a whole Sluice on the embedded SQLite store in a temp dir (as the tests
 * build it), seeded with draft Databricks connections, and a bare Fastify app as the ceiling.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { App } from '../../src/api/types.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { IssuedCredentials } from '../../src/services/identity.ts';
import { createSluice, type Sluice } from '../../src/sluice.ts';

export const BASE = '/data/foundation/flowservice';
export const DATABRICKS_SPEC_ID = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';

export interface Bench {
  readonly dir: string;
  readonly sluice: Sluice;
  readonly credentials: IssuedCredentials;
  readonly headers: Record<string, string>;
  /** Every log line of an app built by `sluiceApp` goes to this file. */
  readonly logFile: string;
  /** A Sluice app on 127.0.0.1 with a pino logger at `level` writing (synchronously, like stdout) to logFile. */
  sluiceApp(level: 'warn' | 'info'): Promise<{ app: App; url: string }>;
  bareApp(): Promise<{ app: FastifyInstance; url: string }>;
  close(): Promise<void>;
}

export async function startBench(): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const logFile = join(dir, 'requests.log');
  const closers: (() => Promise<unknown>)[] = [];
  try {
    const config = loadConfig({ SLUICE_DATA_DIR: dir });
    const sluice = await createSluice(config);
    closers.push(() => sluice.close());
    const credentials = await sluice.identity.createOrg('Bench');
    const headers = {
      authorization: `Bearer ${credentials.accessToken}`,
      'x-api-key': credentials.apiKey,
      'x-gw-ims-org-id': credentials.org.id,
      'x-sandbox-name': 'prod',
    };
    const destination = pino.destination({ dest: logFile, sync: true });
    closers.push(() => {
      destination.flushSync();
      destination.end();
      return Promise.resolve();
    });
    return {
      dir,
      sluice,
      credentials,
      headers,
      logFile,
      async sluiceApp(level) {
        const app = await sluice.buildApp(createLogger(level, destination));
        closers.unshift(() => app.close());
        const url = await app.listen({ host: '127.0.0.1', port: 0 });
        return { app, url };
      },
      async bareApp() {
        const app = Fastify({ logger: false });
        app.get('/ping', () => ({ ok: true, service: 'sluice-bench', items: [1, 2, 3] }));
        closers.unshift(() => app.close());
        const url = await app.listen({ host: '127.0.0.1', port: 0 });
        return { app, url };
      },
      async close() {
        for (const close of closers) await close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Creates `count` draft Databricks connections (no external source is contacted); returns their ids. */
export async function seedConnections(
  app: App,
  headers: Record<string, string>,
  count: number,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await app.inject({
      method: 'POST',
      url: `${BASE}/connections?mode=draft`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: JSON.stringify({
        name: `bench connection ${String(i).padStart(3, '0')}`,
        description: 'seeded by npm run bench:api',
        auth: {
          specName: 'Access Token Authentication',
          params: {
            domain: 'https://adb-1234567890123456.7.azuredatabricks.net',
            clusterId: '0123-456789-abcdefgh',
            accessToken: `dapi${String(i).padStart(32, '0')}`,
            database: 'sales',
          },
        },
        connectionSpec: { id: DATABRICKS_SPEC_ID, version: '1.0' },
      }),
    });
    if (response.statusCode !== 201) {
      throw new Error(`seeding connection ${i}: HTTP ${response.statusCode} ${response.body}`);
    }
    ids.push((JSON.parse(response.body) as { id: string }).id);
  }
  return ids;
}
