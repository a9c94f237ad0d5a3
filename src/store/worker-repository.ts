/**
 * The registry of worker processes: alive means seen within the caller's horizon. A row is written at
 * start, refreshed by the worker's heartbeat and deleted on a graceful stop; a killed worker's row stays
 * until `forget` removes rows not seen for a long time.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly startedAt: number;
  readonly seenAt: number;
  readonly runs: readonly string[];
}

export interface WorkerRepository {
  upsert(worker: WorkerRecord): Promise<void>;
  remove(id: string): Promise<void>;
  /** Workers seen at or after `since`, most recently started first. */
  seenSince(since: number): Promise<WorkerRecord[]>;
  /** Deletes rows not seen since `before`; returns how many. */
  forget(before: number): Promise<number>;
}

export function createWorkerRepository(db: Kysely<Database>): WorkerRepository {
  return {
    async upsert(worker) {
      const row = {
        id: worker.id,
        host: worker.host,
        pid: worker.pid,
        concurrency: worker.concurrency,
        started_at: worker.startedAt,
        seen_at: worker.seenAt,
        runs: JSON.stringify(worker.runs),
      };
      await db
        .insertInto('workers')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: row.seen_at, runs: row.runs }))
        .execute();
    },
    async remove(id) {
      await db.deleteFrom('workers').where('id', '=', id).execute();
    },
    async seenSince(since) {
      const rows = await db
        .selectFrom('workers')
        .selectAll()
        .where('seen_at', '>=', since)
        .orderBy('started_at', 'desc')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        host: row.host,
        pid: row.pid,
        concurrency: row.concurrency,
        startedAt: row.started_at,
        seenAt: row.seen_at,
        runs: JSON.parse(row.runs) as string[],
      }));
    },
    async forget(before) {
      const result = await db.deleteFrom('workers').where('seen_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
