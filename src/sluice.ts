/**
 * The composition root: config → crypto → store + migrate → catalog → connectors → services → api.
 * The server (main.ts), the CLI and the tests all assemble Sluice here, so there is one wiring.
 */
import { createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './api/app.ts';
import type { App, RouteDeps } from './api/types.ts';
import { createCatalog, type Catalog } from './catalog/catalog.ts';
import type { Config } from './config/config.ts';
import type { ConnectorModule } from './connectors/connector.ts';
import { createEgressPolicy } from './connectors/egress.ts';
import { connectorModules } from './connectors/registry.ts';
import { loadOrCreateKey } from './crypto/key-file.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import { createCursorCodec } from './domain/cursor.ts';
import { createConnectionService, type ConnectionService } from './services/connections.ts';
import { createConnectorRuntime } from './services/connector-runtime.ts';
import { createExploreService, type ExploreService } from './services/explore.ts';
import { createIdentityService, type IdentityService } from './services/identity.ts';
import { createDatasetService, type DatasetService } from './services/datasets.ts';
import { openLake, type Lake } from './lake/index.ts';
import { createMappingSetService, type MappingSetService } from './services/mapping-sets.ts';
import { openStore, type Store, type StoreOptions } from './store/db.ts';
import { migrations } from './store/migrations/index.ts';
import { migrateToLatest } from './store/migrator.ts';
import { createRepositories } from './store/repositories.ts';
import type { Database } from './store/schema.ts';

export interface Sluice {
  readonly config: Config;
  readonly catalog: Catalog;
  readonly identity: IdentityService;
  readonly connections: ConnectionService;
  readonly explore: ExploreService;
  readonly datasets: DatasetService;
  /** The Parquet lake; `datasets.collectGarbage()` removes files a crash left (run it at start). */
  readonly lake: Lake;
  readonly mappingSets: MappingSetService;
  readonly store: Store<Database>;
  /** True when this start generated the encryption key file. */
  readonly keyCreated: boolean;
  buildApp(logger: FastifyBaseLogger | boolean): Promise<App>;
  close(): Promise<void>;
}

export async function createSluice(
  config: Config,
  options: {
    connectors?: readonly ConnectorModule[];
    /** Overrides config.store, e.g. a PostgreSQL schema per test. */
    storeOptions?: StoreOptions;
  } = {},
): Promise<Sluice> {
  await mkdir(config.dataDir, { recursive: true });
  const { key, created } = await loadOrCreateKey({
    file: config.security.encryptionKey.file,
    ...(config.security.encryptionKey.key === undefined ? {} : { key: config.security.encryptionKey.key }),
  });
  const secrets = createSecretBox(key);
  // Continuation tokens are signed with a key derived from (not equal to) the encryption key.
  const cursors = createCursorCodec(createHmac('sha256', key).update('sluice/continuation-token').digest());

  const store = await openStore<Database>(options.storeOptions ?? config.store);
  try {
    await migrateToLatest(store, migrations);
  } catch (error) {
    await store.close();
    throw error;
  }
  const repositories = createRepositories(store.db);

  const modules = options.connectors ?? connectorModules;
  const catalog = createCatalog({ connectionSpecs: modules.map((module) => module.spec), flowSpecs: [] });
  const runtime = createConnectorRuntime({
    connectors: modules.map((module) => module.create({ schemaSampleSize: config.limits.schemaSampleSize })),
    egress: createEgressPolicy({
      allow: config.egress.allow,
      deny: config.egress.deny,
      denyPrivate: config.egress.denyPrivate,
    }),
    extraCaCerts: config.security.extraCaCerts,
    timeouts: config.timeouts,
  });

  const identity = createIdentityService(repositories.identity);
  const connections = createConnectionService({
    repository: repositories.connections,
    catalog,
    secrets,
    runtime,
    cursors,
  });
  const explore = createExploreService({ connections, runtime });
  await mkdir(config.lake.dir, { recursive: true });
  const lake = await openLake(config.lake.dir);
  const datasets = createDatasetService({
    repository: repositories.datasets,
    lake,
    query: { maxRows: 10_000, timeoutMs: 30_000 },
  });
  // lookupDatasetSchema is wired to the dataset service once it lands; until then no dataset resolves.
  const mappingSets = createMappingSetService({ repository: repositories.mappingSets });

  const routeDeps: RouteDeps = {
    catalog,
    identity,
    connections,
    explore,
    mappingSets,
    datasets,
    listLimits: { defaultLimit: config.limits.listDefaultLimit, maxLimit: config.limits.listMaxLimit },
  };

  return {
    config,
    catalog,
    identity,
    connections,
    explore,
    mappingSets,
    store,
    datasets,
    lake,
    keyCreated: created,
    buildApp: (logger) =>
      buildApp(routeDeps, {
        bodyLimit: config.limits.bodyLimitBytes,
        defaultSandbox: config.server.sandboxDefault,
        logger,
      }),
    close: async () => {
      await lake.close();
      await store.close();
    },
  };
}
