/**
 * `describeEachStore` runs one describe block against every store dialect: SQLite on a file in a
 * temp dir, and PostgreSQL in a fresh schema. Each `ctx.open()` gives a new, empty, migrated
 * database; everything opened is closed and deleted after the block.
 *
 * PostgreSQL unreachable: under CI=true the PostgreSQL block fails (the store tests require it in
 * CI); elsewhere it is skipped with a loud warning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { openStore, type Store, type StoreDialect, type StoreOptions } from '../../src/store/db.ts';
import { migrateToLatest, type Migration } from '../../src/store/migrator.ts';
import {
  createTestSchema,
  describePostgresUrl,
  probePostgres,
  postgresTestUrl,
  type TestSchema,
} from './postgres.ts';

export { createTestSchema, postgresTestUrl } from './postgres.ts';

export interface StoreTestContext {
  readonly dialect: StoreDialect;
  /** A new empty database (SQLite file / PostgreSQL schema), migrated with `migrations`. */
  open<DB>(migrations?: Record<string, Migration>): Promise<Store<DB>>;
  /** A second, independent Store on the same database as `store` (like another process); not migrated. */
  reopen<DB>(store: Store<DB>): Promise<Store<DB>>;
  /** Options for a new empty database, for tests that call `openStore` themselves (they close it). */
  freshOptions(): Promise<StoreOptions>;
}

const postgres = await probePostgres();
const isCi = process.env.CI === 'true' || process.env.CI === '1';
let warned = false;

export function describeEachStore(
  name: string,
  body: (ctx: StoreTestContext) => void,
  options: { dialects?: readonly StoreDialect[] } = {},
): void {
  const dialects = options.dialects ?? ['sqlite', 'postgres'];
  if (dialects.includes('sqlite')) {
    describe(`${name} [sqlite]`, () => {
      body(storeContext('sqlite'));
    });
  }
  if (!dialects.includes('postgres')) return;

  if (postgres.reachable) {
    describe(`${name} [postgres]`, () => {
      body(storeContext('postgres'));
    });
    return;
  }
  const message =
    `PostgreSQL at ${describePostgresUrl()} is unreachable (${postgres.reason}); ` +
    'the store tests require it in CI (set SLUICE_TEST_DATABASE_URL or start the server)';
  if (isCi) {
    describe(`${name} [postgres]`, () => {
      it('requires a reachable PostgreSQL', () => {
        throw new Error(message);
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(`\n!!! SKIPPING PostgreSQL store tests: ${message}\n`);
  }
  describe.skip(`${name} [postgres]`, () => {
    body(storeContext('postgres'));
  });
}

function storeContext(dialect: StoreDialect): StoreTestContext {
  const opened: Store<unknown>[] = [];
  const optionsOf = new WeakMap<object, StoreOptions>();
  const schemas: TestSchema[] = [];
  let dir: string | undefined;
  let counter = 0;

  const freshOptions = async (): Promise<StoreOptions> => {
    if (dialect === 'sqlite') {
      dir ??= mkdtempSync(join(tmpdir(), 'sluice-store-'));
      counter += 1;
      return { kind: 'sqlite', file: join(dir, `db-${counter}`, 'sluice.db') };
    }
    const schema = await createTestSchema(postgresTestUrl());
    schemas.push(schema);
    return { kind: 'postgres', url: schema.url, schema: schema.schema, poolSize: 4 };
  };

  const track = <DB>(store: Store<DB>, options: StoreOptions): Store<DB> => {
    opened.push(store as Store<unknown>);
    optionsOf.set(store, options);
    return store;
  };

  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    await Promise.all(schemas.map((schema) => schema.drop()));
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  return {
    dialect,
    freshOptions,
    async open<DB>(migrations: Record<string, Migration> = {}): Promise<Store<DB>> {
      const options = await freshOptions();
      const store = track(await openStore<DB>(options), options);
      await migrateToLatest(store, migrations);
      return store;
    },
    async reopen<DB>(store: Store<DB>): Promise<Store<DB>> {
      const options = optionsOf.get(store);
      if (!options) throw new Error('reopen() takes a store opened by this context');
      return track(await openStore<DB>(options), options);
    },
  };
}
