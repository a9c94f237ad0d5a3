import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import { expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/stores.ts';
import type { Store } from './db.ts';
import { MigrationError, migrateToLatest } from './migrator.ts';

// Two throwaway migrations: a table, then a row in it (so "ran twice" would be visible).
const migrations: Record<string, Migration> = {
  '002-seed': {
    up: async (db: Kysely<unknown>) => {
      await sql`insert into widget (name) values ('seed')`.execute(db);
    },
  },
  '001-widget': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('widget')
        .addColumn('name', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

const broken: Record<string, Migration> = {
  ...migrations,
  '003-half': {
    up: async (db: Kysely<unknown>) => {
      await db.schema.createTable('half').addColumn('x', 'integer').execute();
      await sql`insert into no_such_table values (1)`.execute(db);
    },
  },
};

/** Tables of this store only (PostgreSQL introspection lists every schema of the database). */
async function tablesOf(store: Store<WidgetDb>): Promise<string[]> {
  const tables = await store.db.introspection.getTables();
  return tables
    .filter((table) => store.schema === undefined || table.schema === store.schema)
    .map((table) => table.name);
}

interface WidgetDb {
  widget: { name: string };
}

describeEachStore('migrateToLatest', (ctx) => {
  it('applies migrations in lexical name order, once', async () => {
    const store = await ctx.open<WidgetDb>();
    expect(await migrateToLatest(store, migrations)).toEqual(['001-widget', '002-seed']);
    expect(await migrateToLatest(store, migrations)).toEqual([]);
    expect(await store.db.selectFrom('widget').select('name').execute()).toEqual([{ name: 'seed' }]);
  });

  it('names the failing migration and keeps nothing of the failed call', async () => {
    const store = await ctx.open<WidgetDb>(migrations);
    const error = await migrateToLatest(store, broken).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migrationName).toBe('003-half');
    expect((error as Error).message).toMatch(/003-half/);
    expect(await tablesOf(store)).not.toContain('half');
    // A fixed migration set then applies cleanly.
    expect(await migrateToLatest(store, { ...migrations, '003-half': { up: async () => {} } })).toEqual([
      '003-half',
    ]);
  });

  it('rolls back every migration of a call when a later one fails', async () => {
    const store = await ctx.open<WidgetDb>();
    await expect(migrateToLatest(store, broken)).rejects.toThrow(MigrationError);
    expect(await tablesOf(store)).not.toContain('widget');
  });

  it('is safe when two processes migrate the same database at once', async () => {
    const first = await ctx.open<WidgetDb>();
    if (ctx.dialect === 'sqlite') {
      // Two Stores on one SQLite file in one process would block each other's synchronous lock
      // wait; the driver test covers two processes. Here: one store, concurrent calls.
      const results = await Promise.all([
        migrateToLatest(first, migrations),
        migrateToLatest(first, migrations),
      ]);
      expect(results.flat().sort()).toEqual(['001-widget', '002-seed']);
    } else {
      const second = await ctx.reopen(first);
      const results = await Promise.all([
        migrateToLatest(first, migrations),
        migrateToLatest(second, migrations),
      ]);
      expect(results.flat().sort()).toEqual(['001-widget', '002-seed']);
    }
    expect(await first.db.selectFrom('widget').select('name').execute()).toEqual([{ name: 'seed' }]);
  });
});
