/**
 * A whole Sluice for the UI journeys, as `npm start` runs it but in-process: a real HTTP server on a free
 * port serving the built UI and the API, the runner on, Azurite (its own) and the Databricks emulator with
 * a small shop, and an Azure table. Every log line the server writes is kept, for the leak assertions.
 * Run it alone (`node test/ui/studio-env.ts`) to click through the UI by hand: it prints a sign-in link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { TableClient } from '@azure/data-tables';
import {
  defaultFixture,
  startDatabricksEmulator,
  type DatabricksEmulator,
} from '../../emulators/databricks/index.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/logger.ts';
import { mintStudioLink } from '../../src/services/studio-link.ts';
import { createSluice, type Sluice } from '../../src/sluice.ts';
import { startPrivateAzurite, type PrivateAzurite } from '../support/private-azurite.ts';
import type { IssuedCredentials } from '../../src/services/identity.ts';

export interface StudioEnv {
  readonly origin: string;
  readonly sluice: Sluice;
  readonly credentials: IssuedCredentials;
  readonly emulator: DatabricksEmulator;
  readonly azurite: PrivateAzurite;
  /** The Azure table with sample rows, and a client to add more. */
  readonly atsTable: string;
  readonly ats: TableClient;
  readonly logs: string[];
  /** A fresh sign-in link, as `npm start` prints it. */
  link(options?: { readOnly?: boolean }): Promise<string>;
  close(): Promise<void>;
}

const shopTables = [
  {
    name: 'customers',
    columns: [
      { name: 'id', type: 'BIGINT' },
      { name: 'name', type: 'STRING' },
      { name: 'city', type: 'STRING' },
      { name: 'updated_at', type: 'TIMESTAMP' },
    ],
    generate: {
      count: 40,
      select:
        "i::BIGINT, 'Customer ' || i, CASE WHEN i % 3 = 0 THEN 'Paris' WHEN i % 3 = 1 THEN 'Oslo' ELSE 'Lima' END, TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE",
    },
  },
  {
    name: 'orders',
    columns: [
      { name: 'order_id', type: 'BIGINT' },
      { name: 'qty', type: 'STRING' },
      { name: 'updated_at', type: 'TIMESTAMP' },
    ],
    // Every 10th quantity is not a number: those rows cannot land in an integer field.
    generate: {
      count: 50,
      select:
        "i::BIGINT, CASE WHEN i % 10 = 3 THEN 'n/a' ELSE CAST(i % 7 AS VARCHAR) END, TIMESTAMP '2026-01-01' + INTERVAL (i) MINUTE",
    },
  },
  // Many tables, for the responsiveness of the table list (search and paging).
  ...Array.from({ length: 1000 }, (_, i) => ({
    name: `archive_${String(i).padStart(4, '0')}`,
    columns: [{ name: 'x', type: 'INT' }],
    rows: [[i]],
  })),
];

export async function startStudioEnv(): Promise<StudioEnv> {
  const emulator = await startDatabricksEmulator({
    fixture: {
      ...defaultFixture,
      catalogs: [{ name: 'hive_metastore', databases: [{ name: 'shop', tables: shopTables }] }],
    },
  });
  const azurite = await startPrivateAzurite();
  const atsTable = `events${Date.now().toString(36)}`;
  const ats = TableClient.fromConnectionString(azurite.connectionString, atsTable, {
    allowInsecureConnection: true,
  });
  await ats.createTable();
  for (let i = 1; i <= 12; i += 1) {
    await ats.createEntity({
      partitionKey: 'web',
      rowKey: String(i).padStart(3, '0'),
      kind: i % 2 ? 'click' : 'view',
      amount: i,
    });
  }

  const dir = mkdtempSync(join(tmpdir(), 'sluice-studio-'));
  const config = loadConfig({
    SLUICE_DATA_DIR: dir,
    SLUICE_HOST: '127.0.0.1',
    SLUICE_PORT: '0',
    SLUICE_EXTRA_CA_CERTS: emulator.caFile,
    SLUICE_RUNNER_POLL_MS: '200',
    SLUICE_RUN_SAFETY_LAG_MS: '0',
    SLUICE_STAGE_TIMEOUT_MS: '3000',
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger('info', sink);
  const sluice = await createSluice(config, { logger });
  const bootstrap = await sluice.identity.bootstrap();
  if (!bootstrap.created) throw new Error('a fresh data dir must bootstrap an org');
  const app = await sluice.buildApp(logger);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  sluice.worker.start();
  const origin = address.replace('localhost', '127.0.0.1');
  return {
    origin,
    sluice,
    credentials: bootstrap.credentials,
    emulator,
    azurite,
    atsTable,
    ats,
    logs,
    link: async (options = {}) =>
      (
        await mintStudioLink(sluice.identity, {
          origin,
          orgId: bootstrap.credentials.org.id,
          sandboxName: 'prod',
          ...(options.readOnly === undefined ? {} : { readOnly: options.readOnly }),
        })
      ).url,
    close: async () => {
      await app.close();
      await sluice.close();
      await azurite.stop();
      await emulator.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.main) {
  const env = await startStudioEnv();
  process.stdout.write(
    `Sluice Studio at ${env.origin}\n  sign in: ${await env.link()}\n  Databricks: ${env.emulator.url} cluster ${env.emulator.clusterId} token ${env.emulator.token} database shop\n  Azure: ${env.azurite.connectionString} table ${env.atsTable}\n`,
  );
  const stop = (): void => {
    void env.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
