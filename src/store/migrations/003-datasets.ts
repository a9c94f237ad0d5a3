import { sql, type Kysely } from 'kysely';

/**
 * Datasets (Catalog dataSets) and their batches. A dataset is soft-deleted (`deleted_at`), so its name is
 * unique per tenant only among live datasets (a partial unique index, which SQLite and PostgreSQL both
 * have). A batch's `files` are readable only while its `status` is `success`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('description', 'text')
    .addColumn('schema', 'text', (col) => col.notNull())
    .addColumn('schema_ref', 'text')
    .addColumn('tags', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('deleted_at', 'bigint')
    .addColumn('body', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('datasets_tenant_live_name')
    .on('datasets')
    .columns(['org_id', 'sandbox_id', 'name'])
    .unique()
    .where(sql.ref('deleted_at'), 'is', null)
    .execute();
  for (const column of ['created_at', 'updated_at']) {
    await db.schema
      .createIndex(`datasets_tenant_${column}`)
      .on('datasets')
      .columns(['org_id', 'sandbox_id', column, 'id'])
      .execute();
  }

  await db.schema
    .createTable('batches')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('dataset_id', 'text', (col) => col.notNull().references('datasets.id'))
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('records', 'bigint', (col) => col.notNull())
    .addColumn('bytes', 'bigint', (col) => col.notNull())
    .addColumn('files', 'text', (col) => col.notNull())
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('completed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('errors', 'text', (col) => col.notNull())
    .addColumn('flow_id', 'text')
    .addColumn('run_id', 'text')
    .execute();
  await db.schema
    .createIndex('batches_dataset')
    .on('batches')
    .columns(['dataset_id', 'status', 'id'])
    .execute();
  await db.schema.createIndex('batches_run').on('batches').columns(['run_id']).execute();
}
