import type { Kysely } from 'kysely';
import { createEntityTable } from './entity-table.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await createEntityTable(db, 'source_connections');
  await createEntityTable(db, 'target_connections');
  await createEntityTable(db, 'flows');
}
