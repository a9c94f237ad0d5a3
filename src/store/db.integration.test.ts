import { createServer } from 'node:net';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Generated } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEachStore, postgresTestUrl } from '../../test/support/stores.ts';
import { isAppError } from '../domain/errors.ts';
import { openStore, postgresAddress } from './db.ts';
import {
  boolFromDb,
  boolToDb,
  boolColumnType,
  fromJson,
  isForeignKeyViolation,
  isUniqueViolation,
  jsonColumnType,
  toJson,
} from './dialect.ts';

interface TestDb {
  thing: { id: Generated<number>; name: string; at: number; doc: string | null; active: boolean | number };
  part: { id: Generated<number>; thing_id: number };
}

describeEachStore('openStore', (ctx) => {
  const create = async () => {
    const store = await ctx.open<TestDb>();
    await store.db.schema
      .createTable('thing')
      .addColumn('id', 'integer', (c) =>
        ctx.dialect === 'sqlite'
          ? c.primaryKey().autoIncrement()
          : c.primaryKey().generatedAlwaysAsIdentity(),
      )
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('doc', jsonColumnType(ctx.dialect))
      .addColumn('active', boolColumnType(ctx.dialect), (c) => c.notNull())
      .execute();
    await store.db.schema
      .createTable('part')
      .addColumn('id', 'integer', (c) =>
        ctx.dialect === 'sqlite'
          ? c.primaryKey().autoIncrement()
          : c.primaryKey().generatedAlwaysAsIdentity(),
      )
      .addColumn('thing_id', 'integer', (c) => c.notNull().references('thing.id'))
      .execute();
    return store;
  };

  it('reports its dialect and round-trips bigint epoch ms, JSON and booleans', async () => {
    const store = await create();
    expect(store.dialect).toBe(ctx.dialect);
    const doc = { list: [1, 'two', { three: true }], text: 'é"\\' };
    await store.db
      .insertInto('thing')
      .values({ name: 'a', at: 1_763_782_345_678, doc: toJson(doc), active: boolToDb(true, ctx.dialect) })
      .execute();
    await store.db
      .insertInto('thing')
      .values({ name: 'b', at: 0, doc: toJson('just a string'), active: boolToDb(false, ctx.dialect) })
      .execute();
    const rows = await store.db.selectFrom('thing').selectAll().orderBy('name').execute();
    expect(rows[0]!.at).toBe(1_763_782_345_678);
    expect(typeof rows[0]!.at).toBe('number');
    expect(fromJson(rows[0]!.doc)).toEqual(doc);
    expect(fromJson(rows[1]!.doc)).toBe('just a string');
    expect(rows.map((row) => boolFromDb(row.active))).toEqual([true, false]);
    const count = await store.db
      .selectFrom('thing')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(2); // count(*) is int8 in PostgreSQL: parsed as a number too
  });

  it('classifies unique and foreign-key violations', async () => {
    const store = await create();
    await store.db
      .insertInto('thing')
      .values({ name: 'dup', at: 1, doc: null, active: boolToDb(true, ctx.dialect) })
      .execute();
    const duplicate = await store.db
      .insertInto('thing')
      .values({ name: 'dup', at: 2, doc: null, active: boolToDb(true, ctx.dialect) })
      .execute()
      .catch((error: unknown) => error);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(isForeignKeyViolation(duplicate)).toBe(false);
    const orphan = await store.db
      .insertInto('part')
      .values({ thing_id: 999 })
      .execute()
      .catch((error: unknown) => error);
    expect(isForeignKeyViolation(orphan)).toBe(true);
    expect(isUniqueViolation(orphan)).toBe(false);
    expect(isUniqueViolation(new Error('other'))).toBe(false);
  });

  it('runs a transaction atomically and sees its own writes', async () => {
    const store = await create();
    await expect(
      store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('thing')
          .values({ name: 'tx', at: 1, doc: null, active: boolToDb(true, ctx.dialect) })
          .execute();
        const inside = await trx.selectFrom('thing').select('name').execute();
        expect(inside).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.db.selectFrom('thing').select('name').execute()).toEqual([]);
  });

  it('close() is idempotent', async () => {
    const store = await openStore(await ctx.freshOptions());
    await sql`select 1`.execute(store.db);
    await store.close();
    await store.close();
  });

  if (ctx.dialect === 'postgres') {
    it('isolates tables by schema through search_path on every pooled connection', async () => {
      const first = await create();
      const second = await ctx.open<TestDb>();
      expect(first.schema).toMatch(/^s_/);
      expect(second.schema).not.toBe(first.schema);
      await first.db.insertInto('thing').values({ name: 'x', at: 1, doc: null, active: true }).execute();
      // Many concurrent queries force several pooled connections; each must see the schema's table.
      const counts = await Promise.all(
        Array.from({ length: 12 }, () => first.db.selectFrom('thing').select('name').execute()),
      );
      expect(counts.every((rows) => rows.length === 1)).toBe(true);
      await expect(second.db.selectFrom('thing').select('name').execute()).rejects.toThrow(/does not exist/);
    });
  } else {
    it('creates the directory of the SQLite file', async () => {
      const options = await ctx.freshOptions();
      if (options.kind !== 'sqlite') throw new Error('unreachable');
      const store = await openStore(options);
      expect(existsSync(options.file)).toBe(true);
      await store.close();
    });
  }
});

describe('openStore failures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-db-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names host:port, never the password, when PostgreSQL is unreachable', async () => {
    const port = await closedPort();
    const url = `postgres://sluice:hunter2-secret@127.0.0.1:${port}/sluice`;
    const error = await openStore({ kind: 'postgres', url }).catch((caught: unknown) => caught);
    expect(isAppError(error)).toBe(true);
    if (!isAppError(error)) return;
    expect(error.code).toBe('FLOW-1103-503');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(JSON.stringify({ message: error.message, report: error.report })).not.toContain('hunter2');
  });

  it('fails the same way when creating a schema on an unreachable server', async () => {
    const port = await closedPort();
    const error = await openStore({
      kind: 'postgres',
      url: `postgres://u:pw@127.0.0.1:${port}/x`,
      schema: 's_x',
    }).catch((caught: unknown) => caught);
    expect(isAppError(error) && error.code).toBe('FLOW-1103-503');
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(openStore({ kind: 'postgres', url: postgresTestUrl(), schema: 'x"; drop' })).rejects.toThrow(
      /schema name/,
    );
  });

  it('fails with FLOW-1103-503 when the SQLite file cannot be opened', async () => {
    const error = await openStore({ kind: 'sqlite', file: dir }).catch((caught: unknown) => caught);
    expect(isAppError(error) && error.code).toBe('FLOW-1103-503');
  });

  it('postgresAddress() keeps only host and port', () => {
    expect(postgresAddress('postgres://u:p@db.example.com:6543/x')).toBe('db.example.com:6543');
    expect(postgresAddress('postgres://u:p@db.example.com/x')).toBe('db.example.com:5432');
    expect(postgresAddress('not a url')).toBe('(unparseable URL)');
  });
});

/** A port nobody listens on: bind an ephemeral port, then release it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
