/**
 * The run queue a store's processes share: pg-boss on a PostgreSQL store (unless SLUICE_RUN_QUEUE says
 * local), the runs table itself on SQLite.
 */
import type { Logger } from '../../domain/logger.ts';
import type { StoreOptions } from '../db.ts';
import type { RunRepository } from '../run-repository.ts';
import { createLocalRunQueue } from './local-queue.ts';
import type { QueueSettings, RunQueue } from './run-queue.ts';

export interface OpenQueueOptions extends QueueSettings {
  readonly engine: RunQueue['engine'];
  readonly store: StoreOptions;
  /** pg-boss's schema. */
  readonly schema: string;
  readonly monitorMs: number;
  readonly log: Logger;
}

export async function openRunQueue(runs: RunRepository, options: OpenQueueOptions): Promise<RunQueue> {
  const { store } = options;
  if (options.engine === 'local' || store.kind !== 'postgres') return createLocalRunQueue(runs, options);
  // pg-boss (and its ≈ 100 modules) is loaded only by the processes that use it: a faster embedded start.
  const { openPgBossRunQueue } = await import('./pg-boss-queue.ts');
  return openPgBossRunQueue(runs, {
    leaseMs: options.leaseMs,
    now: options.now,
    connectionString: store.url,
    schema: options.schema,
    monitorMs: options.monitorMs,
    log: options.log,
  });
}
