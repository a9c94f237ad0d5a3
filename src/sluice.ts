/**
 * The composition root: config → crypto → store + migrate → catalog → connectors → services → api.
 * The server (main.ts), the CLI and the tests all assemble Sluice here, so there is one wiring.
 */
import { createHmac } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
import { createFlowService, type FlowService } from './services/flows.ts';
import { createRunService, type RunService } from './services/runs.ts';
import { createRunner, type Runner } from './flows/runner.ts';
import {
  createSourceConnectionService,
  type SourceConnectionService,
} from './services/source-connections.ts';
import {
  createTargetConnectionService,
  type DatasetLookup,
  type TargetConnectionService,
} from './services/target-connections.ts';
import { dataLakeSpec, flowSpecs } from './catalog/specs.ts';
import { isAppError } from './domain/errors.ts';
import { createExploreService, type ExploreService } from './services/explore.ts';
import { createIdentityService, withAuthenticationCache, type IdentityService } from './services/identity.ts';
import { createDatasetService, type DatasetService } from './services/datasets.ts';
import { openLake, type Lake } from './lake/index.ts';
import { createMappingSetService, type MappingSetService } from './services/mapping-sets.ts';
import { createFailedRecordsService } from './services/failed-records.ts';
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
  readonly sourceConnections: SourceConnectionService;
  readonly targetConnections: TargetConnectionService;
  readonly flows: FlowService;
  readonly runs: RunService;
  /** The scheduler and run executor; `main.ts` starts it when SLUICE_RUNNER_ENABLED. */
  readonly runner: Runner;
  readonly store: Store<Database>;
  /** True when this start generated the encryption key file. */
  readonly keyCreated: boolean;
  buildApp(logger: FastifyBaseLogger | boolean): Promise<App>;
  close(): Promise<void>;
}

/** Sluice Studio's build output (`npm run build:ui`), served at `/`. */
const UI_DIR = fileURLToPath(new URL('../ui/dist/', import.meta.url));

export async function createSluice(
  config: Config,
  options: {
    connectors?: readonly ConnectorModule[];
    /** Overrides config.store, e.g. a PostgreSQL schema per test. */
    storeOptions?: StoreOptions;
    /** Where the runner logs (the server's pino logger). */
    logger?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
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
  const catalog = createCatalog({
    connectionSpecs: [...modules.map((module) => module.spec), dataLakeSpec],
    flowSpecs,
  });
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

  const identity = withAuthenticationCache(
    createIdentityService(repositories.identity),
    config.server.authCacheTtlMs,
  );
  await mkdir(config.lake.dir, { recursive: true });
  const lake = await openLake(config.lake.dir);
  const datasetService = createDatasetService({
    repository: repositories.datasets,
    lake,
    query: { maxRows: 10_000, timeoutMs: 30_000 },
  });
  const lookupDataset: DatasetLookup = async (tenant, id) => {
    try {
      const dataset = await datasetService.get(tenant, id);
      return { id: dataset.id, name: dataset.name, schema: dataset.schema };
    } catch (error) {
      if (isAppError(error) && error.status === 404) return undefined;
      throw error;
    }
  };
  const mappingSets = createMappingSetService({
    repository: repositories.mappingSets,
    lookupDatasetSchema: async (tenant, id) => (await lookupDataset(tenant, id))?.schema,
  });
  const flows = createFlowService({
    repository: repositories.flows,
    catalog,
    sourceConnections: repositories.sourceConnections,
    targetConnections: repositories.targetConnections,
    mappingSets,
    lookupDataset,
    cursors,
    onDeleted: (_tenant, flowId) => repositories.runs.deleteForFlow(flowId),
  });
  // A dataset that flows write to cannot be deleted (the guard lives with the flows that know it).
  const datasets: DatasetService = {
    ...datasetService,
    delete: async (tenant, id) => {
      await flows.assertDatasetUnused(tenant, id);
      await datasetService.delete(tenant, id);
    },
  };
  const connections = createConnectionService({
    repository: repositories.connections,
    catalog,
    secrets,
    runtime,
    cursors,
    assertUnused: (tenant, id) => flows.assertConnectionUnused(tenant, id),
  });
  const explore = createExploreService({ connections, runtime });
  const sourceConnections = createSourceConnectionService({
    repository: repositories.sourceConnections,
    connections,
    catalog,
    runtime,
    cursors,
    assertUnused: (tenant, id) => flows.assertSourceConnectionUnused(tenant, id),
  });
  const targetConnections = createTargetConnectionService({
    repository: repositories.targetConnections,
    lookupDataset,
    cursors,
    assertUnused: (tenant, id) => flows.assertTargetConnectionUnused(tenant, id),
  });

  const runs = createRunService({
    runs: repositories.runs,
    flows,
    flowRepository: repositories.flows,
    sourceConnections: repositories.sourceConnections,
    cursors,
    safetyLagMs: config.runner.safetyLagMs,
  });
  const runner = createRunner({
    runs: repositories.runs,
    flows: repositories.flows,
    sourceConnections: repositories.sourceConnections,
    targetConnections: repositories.targetConnections,
    openConnection: (tenant, id) => connections.openForConnector(tenant, id),
    connectorFor: (specId) => runtime.connector(specId),
    contextFor: (signal) => runtime.context(signal),
    resolveMapping: async (tenant, id, version) =>
      (await mappingSets.resolveMapping(tenant, id, version)).mappings,
    datasetSchema: async (tenant, id) => (await lookupDataset(tenant, id))?.schema,
    batches: {
      begin: async (tenant, datasetId, owner) => {
        const { batch, writer } = await datasetService.beginBatch(tenant, datasetId, {
          ...owner,
          writer: { maxRowsPerFile: config.runner.fileMaxRows },
        });
        return { batchId: batch.id, writer };
      },
      commit: (batchId, result, trx) => datasetService.commitBatch(batchId, result, trx),
      fail: (writer, status, error) => datasetService.failBatch(writer, status, error),
      writeBatchFile: async (datasetId, batchId, name, content) => {
        const relative = join('datasets', datasetId, batchId, name);
        await mkdir(join(config.lake.dir, 'datasets', datasetId, batchId), { recursive: true });
        await writeFile(join(config.lake.dir, relative), content, { mode: 0o600 });
        return relative;
      },
    },
    settings: {
      leaseMs: config.runner.leaseMs,
      heartbeatMs: config.runner.heartbeatMs,
      safetyLagMs: config.runner.safetyLagMs,
      overlapMs: config.runner.overlapMs,
      readBatchSize: config.runner.readBatchSize,
      retry: {
        attempts: config.runner.retryAttempts,
        baseDelayMs: config.runner.retryBaseMs,
        maxDelayMs: config.runner.retryMaxMs,
        throttleBudgetMs: config.runner.throttleBudgetMs,
      },
      maxRowErrors: config.runner.maxRowErrors,
      pollMs: config.runner.pollMs,
      retentionDays: config.runner.runRetentionDays,
    },
    now: Date.now,
    log: (level, message, fields) => {
      options.logger?.[level](fields ?? {}, message);
    },
  });

  const routeDeps: RouteDeps = {
    catalog,
    identity,
    connections,
    explore,
    mappingSets,
    datasets,
    sourceConnections,
    targetConnections,
    flows,
    runs,
    failedRecords: createFailedRecordsService({ datasets, runs, lakeDir: config.lake.dir }),
    listLimits: { defaultLimit: config.limits.listDefaultLimit, maxLimit: config.limits.listMaxLimit },
  };

  return {
    config,
    catalog,
    identity,
    connections,
    explore,
    mappingSets,
    sourceConnections,
    targetConnections,
    flows,
    runs,
    runner,
    store,
    datasets,
    lake,
    keyCreated: created,
    buildApp: (logger) =>
      buildApp(routeDeps, {
        bodyLimit: config.limits.bodyLimitBytes,
        defaultSandbox: config.server.sandboxDefault,
        logger,
        uiDir: UI_DIR,
      }),
    close: async () => {
      await runner.stop();
      await lake.close();
      await store.close();
    },
  };
}
