/**
 * What the flow runner needs from the rest of Sluice, as functions the composition root provides
 * (flows sit below services in the layering, so services are reached through these ports).
 */
import type { Transaction } from 'kysely';
import type { Connection } from '../domain/connection.ts';
import type { ConnectorContext, SourceConnector } from '../connectors/connector.ts';
import type { DatasetSchema } from '../domain/dataset.ts';
import type { Flow, SourceConnection, TargetConnection } from '../domain/flow-entities.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { BatchWriter, BatchWriteResult } from '../lake/index.ts';
import type { EntityRepository } from '../store/entity-repository.ts';
import type { RunRepository } from '../store/run-repository.ts';
import type { Database } from '../store/schema.ts';
import type { RetryPolicy } from './retry.ts';
import type { MappingPair } from './row-mapper.ts';

/** Where a run's rows go: a dataset batch, invisible until committed in the run's transaction. */
export interface BatchSink {
  begin(
    tenant: Tenant,
    datasetId: string,
    options: { flowId: string; runId: string },
  ): Promise<{ batchId: string; writer: BatchWriter }>;
  commit(batchId: string, result: BatchWriteResult, trx: Transaction<Database>): Promise<void>;
  fail(
    writer: BatchWriter,
    status: 'failed' | 'aborted',
    error?: { code: string; message: string },
  ): Promise<void>;
  /** Writes a file next to the batch's data (e.g. its row errors); removed with the batch if it is not committed. */
  writeBatchFile(datasetId: string, batchId: string, name: string, content: string): Promise<string>;
}

export interface RunnerSettings {
  /** How long a claim lasts without a heartbeat; another runner may take the run over after it. */
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  /** Window ends stay this far behind "now", so rows being written at the source wait for the next run. */
  readonly safetyLagMs: number;
  /** Re-read zone before a window's start, for sources with row keys (de-duplicated by key). */
  readonly overlapMs: number;
  /** Rows per batch read from the source. */
  readonly readBatchSize: number;
  readonly retry: RetryPolicy;
  /** Row errors kept in memory for the row-errors file; beyond it they are only counted. */
  readonly maxRowErrors: number;
  /** How often the scheduler/runner loop polls. */
  readonly pollMs: number;
  readonly retentionDays: number;
}

export interface RunnerPorts {
  readonly runs: RunRepository;
  readonly flows: EntityRepository<Flow>;
  readonly sourceConnections: EntityRepository<SourceConnection>;
  readonly targetConnections: EntityRepository<TargetConnection>;
  openConnection(
    tenant: Tenant,
    id: string,
  ): Promise<{ connection: Connection; params: Record<string, unknown> }>;
  connectorFor(specId: string): SourceConnector;
  contextFor(signal: AbortSignal): ConnectorContext;
  resolveMapping(tenant: Tenant, id: string, version: string | number): Promise<readonly MappingPair[]>;
  datasetSchema(tenant: Tenant, id: string): Promise<DatasetSchema | undefined>;
  readonly batches: BatchSink;
  readonly settings: RunnerSettings;
  now(): number;
  log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void;
}
