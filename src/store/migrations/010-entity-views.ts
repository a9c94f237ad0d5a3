import type { Kysely } from 'kysely';

/**
 * The stored response representation of each instance entity, beside its body: `view` is the entity's
 * GET item as JSON text (secrets masked), `view_key` the version of the representation that wrote it
 * (services/entity-views.ts). Rows written before this migration, or by another representation, have a
 * null or different key and are represented from `body` on read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['connections', 'source_connections', 'target_connections', 'flows']) {
    await db.schema.alterTable(table).addColumn('view', 'text').execute();
    await db.schema.alterTable(table).addColumn('view_key', 'text').execute();
  }
}
