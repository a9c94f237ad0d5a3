import type { Kysely } from 'kysely';

/** The shared shape of instance-entity tables (see schema.ts EntityTable) with its list indexes. */
export async function createEntityTable(db: Kysely<unknown>, table: string): Promise<void> {
  await db.schema
    .createTable(table)
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('spec_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('etag', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .execute();
  for (const column of ['created_at', 'updated_at', 'name']) {
    await db.schema
      .createIndex(`${table}_tenant_${column}`)
      .on(table)
      .columns(['org_id', 'sandbox_id', column, 'id'])
      .execute();
  }
}
