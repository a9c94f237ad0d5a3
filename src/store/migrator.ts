/**
 * Applies the schema migrations shipped with the code (no files are read at run time).
 *
 * Guarantees:
 * - Migrations run in the lexical order of their names (`001-identity`, `002-connections`, ...); a
 *   name already recorded is never run again.
 * - Each call applies its pending migrations in one transaction on both dialects (PostgreSQL and
 *   SQLite both have transactional DDL), so a failure leaves the schema as it was before the call.
 * - Two processes starting at once are safe: on PostgreSQL Kysely holds an advisory lock for the run;
 *   on SQLite the run's `BEGIN IMMEDIATE` transaction holds the file's write lock.
 * - The bookkeeping tables (`sluice_migration`, `sluice_migration_lock`) live in the store's schema.
 */
import type { Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Store } from './db.ts';

export type { Migration } from 'kysely/migration';

export const MIGRATION_TABLE = 'sluice_migration';
export const MIGRATION_LOCK_TABLE = 'sluice_migration_lock';

/** A migration failed; nothing of this call's migrations was kept. */
export class MigrationError extends Error {
  readonly migrationName: string;

  constructor(migrationName: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Migration "${migrationName}" failed: ${reason}`, { cause });
    this.name = 'MigrationError';
    this.migrationName = migrationName;
  }
}

class InMemoryProvider implements MigrationProvider {
  readonly #migrations: Record<string, Migration>;

  constructor(migrations: Record<string, Migration>) {
    this.#migrations = migrations;
  }

  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.#migrations);
  }
}

/** Brings the store to the latest migration; returns the names applied by this call, in order. */
export async function migrateToLatest<DB>(
  store: Store<DB>,
  migrations: Record<string, Migration>,
): Promise<string[]> {
  const migrator = new Migrator({
    db: store.db as Kysely<unknown>,
    provider: new InMemoryProvider(migrations),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    // Kysely finds its tables by name across all schemas unless told which one: name ours.
    ...(store.schema === undefined ? {} : { migrationTableSchema: store.schema }),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName ?? '(before any migration)', error);
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
