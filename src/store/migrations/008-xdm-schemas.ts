import type { Kysely } from 'kysely';

/**
 * XDM schemas of the Schema Registry subset. `body` is the stored schema document (JSON); the columns
 * copied out serve tenancy, lookup by `$id`/`meta:altId` (both derive from `id`), keyset listing by
 * title or altId, and the one-title-per-sandbox rule (`title_key` is the title in lower case).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('xdm_schemas')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('alt_id', 'text', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('title_key', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('xdm_schemas_tenant_title_key')
    .on('xdm_schemas')
    .columns(['org_id', 'sandbox_id', 'title_key'])
    .unique()
    .execute();
  for (const column of ['title', 'alt_id']) {
    await db.schema
      .createIndex(`xdm_schemas_tenant_${column}`)
      .on('xdm_schemas')
      .columns(['org_id', 'sandbox_id', column])
      .execute();
  }
}
