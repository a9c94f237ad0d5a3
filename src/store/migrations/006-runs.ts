import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('flow_id', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    // 1 while scheduled or inProgress: the partial unique index below allows one active run per flow.
    .addColumn('active', 'integer', (col) => col.notNull())
    .addColumn('scheduled_at', 'bigint', (col) => col.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('runs_one_active_per_flow')
    .on('runs')
    .column('flow_id')
    .unique()
    .where(sql.ref('active'), '=', 1)
    .execute();
  await db.schema.createIndex('runs_claim').on('runs').columns(['active', 'state', 'scheduled_at']).execute();
  await db.schema
    .createIndex('runs_tenant_flow')
    .on('runs')
    .columns(['org_id', 'sandbox_id', 'flow_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('runs_tenant_created')
    .on('runs')
    .columns(['org_id', 'sandbox_id', 'created_at', 'id'])
    .execute();

  // The committed position of each flow: where the next window starts, and the keys landed in the last
  // overlap zone (for sources with row keys), updated in the same transaction as the batch commit.
  await db.schema
    .createTable('flow_cursors')
    .addColumn('flow_id', 'text', (col) => col.primaryKey())
    .addColumn('org_id', 'text', (col) => col.notNull())
    .addColumn('sandbox_id', 'text', (col) => col.notNull())
    .addColumn('committed_end', 'bigint', (col) => col.notNull())
    .addColumn('boundary_keys', 'text', (col) => col.notNull())
    .addColumn('last_run_id', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'bigint', (col) => col.notNull())
    .execute();
}
