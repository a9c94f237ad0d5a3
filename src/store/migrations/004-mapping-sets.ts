import type { Kysely } from 'kysely';

/**
 * Mapping sets are versioned: `mapping_sets` holds the tenancy, list columns and the latest version number;
 * `mapping_set_versions` holds every version's document, never rewritten once inserted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('mapping_sets')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text')
    .addColumn('latest_version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('updated_by', 'text', (col) => col.notNull())
    .execute();
  for (const column of ['created_at', 'updated_at']) {
    await db.schema
      .createIndex(`mapping_sets_tenant_${column}`)
      .on('mapping_sets')
      .columns(['org_id', 'sandbox_id', column, 'id'])
      .execute();
  }
  await db.schema
    .createTable('mapping_set_versions')
    .addColumn('id', 'text', (col) => col.notNull().references('mapping_sets.id'))
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('mapping_set_versions_pk', ['id', 'version'])
    .execute();
}
