/**
 * The composition root: config → crypto → store + migrate → catalog → connectors → services → api.
 * The server (main.ts), the CLI and the tests all assemble Sluice here, so there is one wiring.
 */
import { createHmac } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from './api/app.ts';
import type { App, RouteDeps } from './api/types.ts';
import { createCatalog, type Catalog } from './catalog/catalog.ts';
import type { Config } from './config/config.ts';
import type { ConnectorModule } from './connectors/connector.ts';
import { createEgressPolicy } from './connectors/egress.ts';
import { lazyConnectorModules } from './lazy-connectors.ts';
import { loadOrCreateKey } from './crypto/key-file.ts';
import { createSecretBox } from './crypto/secret-box.ts';
import { createCursorCodec } from './domain/cursor.ts';
import { createConnectionService, type ConnectionService } from './services/connections.ts';
import { createConnectorRuntime } from './connectors/runtime.ts';
import { createFlowService, type FlowService } from './services/flows.ts';
import { createFlowSpecService } from './services/flow-specs.ts';
import { createRunService, type RunService } from './services/runs.ts';
import { createStatusService, type StatusService } from './services/status.ts';
import { createFlowUsage } from './services/flow-usage.ts';
import { createSchemaRegistryService } from './services/schema-registry.ts';
import { createSourceAccess } from './flows/source-access.ts';
import { createReadSlots } from './flows/read-slots.ts';
import { createWorker, type Worker } from './flows/worker.ts';
import { silentLogger, type Logger } from './domain/logger.ts';
import { openRunQueue } from './store/queue/open-queue.ts';
import type { RunQueue } from './store/queue/run-queue.ts';
import {
  createSourceConnectionService,
  type SourceConnectionService,
} from './services/source-connections.ts';
import {
  createTargetConnectionService,
  type TargetConnectionService,
} from './services/target-connections.ts';
import { dataLakeSpec, flowSpecs } from './catalog/specs.ts';
import { documentLimits } from './domain/limits.ts';
import { createExploreService, type ExploreService } from './services/explore.ts';
import { createIdentityService, withAuthenticationCache, type IdentityService } from './services/identity.ts';
import { createDatasetService, type DatasetService } from './services/datasets.ts';
import { openLake, type Lake } from './lake/index.ts';
import { createMappingSetService, type MappingSetService } from './services/mapping-sets.ts';
import { assertMigrationsCurrent, isStoreUnavailable, pingStore } from './store/availability.ts';
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
  /** The scheduler and run executor (a worker); `main.ts` and `sluice worker` start it. */
  readonly worker: Worker;
  /** Which worker executes which run: pg-boss on PostgreSQL, the runs table on SQLite. */
  readonly queue: RunQueue;
  /** Workers alive, queue depth, active runs (`sluice status`). */
  readonly status: StatusService;
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
    /** Where workers and the queue log (the server's pino logger). */
    logger?: Logger;
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

  const storeOptions = options.storeOptions ?? config.store;
  const store = await openStore<Database>(storeOptions);
  try {
    await migrateToLatest(store, migrations);
  } catch (error) {
    await store.close();
    throw error;
  }
  const repositories = createRepositories(store.db);
  const log = options.logger ?? silentLogger;
  let queue: RunQueue;
  try {
    queue = await openRunQueue(repositories.runs, {
      engine: config.queue.engine,
      store: storeOptions,
      schema: config.queue.schema,
      monitorMs: config.queue.monitorMs,
      leaseMs: config.runner.leaseMs,
      now: Date.now,
      log,
    });
  } catch (error) {
    await store.close();
    throw error;
  }

  // The registry's connectors, each SDK loaded on its first call (lazy-connectors.ts): a faster start.
  const modules = options.connectors ?? lazyConnectorModules();
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
  const lake = await openLake(config.lake.dir, {
    threads: config.lake.threads,
    memoryLimit: `${String(config.lake.memoryMb)}MB`,
  });
  const limits = documentLimits(config.limits.bodyLimitBytes);
  // Deleting what a flow uses is refused; the guard reads the flows, so no service depends on another.
  const usage = createFlowUsage({
    flows: repositories.flows,
    targetConnections: repositories.targetConnections,
  });
  const connections = createConnectionService({
    repository: repositories.connections,
    catalog,
    secrets,
    runtime,
    cursors,
    assertUnused: usage.assertConnectionUnused,
    limits,
  });
  const explore = createExploreService({ connections, runtime });
  const schemas = createSchemaRegistryService({
    repository: repositories.xdmSchemas,
    describeTable: explore.describeTable,
  });
  const datasets = createDatasetService({
    repository: repositories.datasets,
    resolveSchemaRef: schemas.datasetSchema,
    lake,
    query: { maxRows: 10_000, timeoutMs: 30_000 },
    assertUnused: usage.assertDatasetUnused,
  });
  const mappingSets = createMappingSetService({
    repository: repositories.mappingSets,
    lookupDatasetSchema: datasets.schemaOf,
    lookupXdmSchema: schemas.datasetSchema,
  });
  const flows = createFlowService({
    repository: repositories.flows,
    catalog,
    sourceConnections: repositories.sourceConnections,
    targetConnections: repositories.targetConnections,
    mappingSets,
    lookupDataset: datasets.find,
    cursors,
    runs: repositories.runs,
    limits,
  });
  const sourceConnections = createSourceConnectionService({
    repository: repositories.sourceConnections,
    connections,
    catalog,
    runtime,
    cursors,
    assertUnused: usage.assertSourceConnectionUnused,
    limits,
  });
  const targetConnections = createTargetConnectionService({
    repository: repositories.targetConnections,
    lookupDataset: datasets.find,
    cursors,
    assertUnused: usage.assertTargetConnectionUnused,
    limits,
  });

  const runs = createRunService({
    runs: repositories.runs,
    queue,
    flows,
    flowRepository: repositories.flows,
    sourceConnections: repositories.sourceConnections,
    batches: datasets,
    cursors,
    safetyLagMs: config.runner.safetyLagMs,
  });
  const worker = createWorker({
    flows: repositories.flows,
    sourceConnections: repositories.sourceConnections,
    targetConnections: repositories.targetConnections,
    sources: createSourceAccess({ connections: repositories.connections, catalog, secrets, runtime }),
    mappings: repositories.mappingSets,
    datasets: repositories.datasets,
    batches: datasets,
    runs: repositories.runs,
    queue,
    workers: repositories.workers,
    readSlots: createReadSlots(config.runner.readStreams),
    settings: {
      safetyLagMs: config.runner.safetyLagMs,
      overlapMs: config.runner.overlapMs,
      readBatchSize: config.runner.readBatchSize,
      retry: {
        attempts: config.runner.retryAttempts,
        spanMs: config.runner.retrySpanMs,
        throttleBudgetMs: config.runner.throttleBudgetMs,
      },
      maxRowErrors: config.runner.maxRowErrors,
      fileMaxRows: config.runner.fileMaxRows,
    },
    worker: {
      concurrency: config.queue.concurrency,
      pollMs: config.runner.pollMs,
      heartbeatMs: config.runner.heartbeatMs,
      graceMs: config.queue.graceMs,
      retentionDays: config.runner.runRetentionDays,
    },
    now: Date.now,
    log,
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
    flowSpecs: createFlowSpecService({ catalog, cursors }),
    runs,
    schemas,
    failedRecords: createFailedRecordsService({ datasets, runs, lakeDir: config.lake.dir }),
    listLimits: { defaultLimit: config.limits.listDefaultLimit, maxLimit: config.limits.listMaxLimit },
    health: {
      probeStore: () => pingStore(store.db),
      isStoreUnavailable,
      checks: [
        { name: 'migrations', check: () => assertMigrationsCurrent(store, migrations) },
        { name: 'queue', check: queue.ping },
      ],
    },
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
    worker,
    queue,
    status: createStatusService({
      queue,
      runs: repositories.runs,
      workers: repositories.workers,
      aliveWithinMs: 3 * Math.max(config.runner.heartbeatMs, 1000),
    }),
    store,
    datasets,
    lake,
    keyCreated: created,
    buildApp: (logger) =>
      buildApp(routeDeps, {
        bodyLimit: config.limits.bodyLimitBytes,
        defaultSandbox: config.server.sandboxDefault,
        authFailures: { limit: config.server.authFailureLimit, windowMs: config.server.authFailureWindowMs },
        logger,
        uiDir: UI_DIR,
      }),
    close: async () => {
      await worker.stop();
      await queue.close();
      await lake.close();
      await store.close();
    },
  };
}
