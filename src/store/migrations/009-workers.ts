import type { Kysely } from 'kysely';

/**
 * Worker processes (`sluice worker`, and `npm start` which is also one): each writes its row at start and
 * refreshes `seen_at` with its heartbeat, so `sluice status` can say which are alive; a stopped worker
 * deletes its row, a killed one stops being seen.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('workers')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('host', 'text', (col) => col.notNull())
    .addColumn('pid', 'integer', (col) => col.notNull())
    .addColumn('concurrency', 'integer', (col) => col.notNull())
    .addColumn('started_at', 'bigint', (col) => col.notNull())
    .addColumn('seen_at', 'bigint', (col) => col.notNull())
    // JSON array of the run ids the worker is executing.
    .addColumn('runs', 'text', (col) => col.notNull())
    .execute();
}
