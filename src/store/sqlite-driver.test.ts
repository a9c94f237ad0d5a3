import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, sql, type Generated } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { adaptDatabase, createSqliteDialect, openSqliteDatabase } from './sqlite-driver.ts';

interface TestDb {
  item: {
    id: Generated<number>;
    name: string;
    flag: number | null;
    data: Uint8Array | null;
    at: number | null;
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-driver-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
const newFile = (): string => join(dir, `t${++counter}.db`);

async function createTable(db: Kysely<TestDb>): Promise<void> {
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('flag', 'integer')
    .addColumn('data', 'blob')
    .addColumn('at', 'integer')
    .execute();
}

describe('openSqliteDatabase', () => {
  it('applies the Sluice pragmas', () => {
    const database = openSqliteDatabase(newFile());
    const pragma = (name: string): unknown =>
      Object.values(database.prepare(`pragma ${name}`).get() ?? {})[0];
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('busy_timeout')).toBe(5000);
    expect(pragma('synchronous')).toBe(1); // NORMAL
    database.close();
  });

  it('marks statements with result columns as readers', () => {
    const database = adaptDatabase(openSqliteDatabase(':memory:'));
    database.prepare('create table t (a integer)').run([]);
    expect(database.prepare('select a from t').reader).toBe(true);
    expect(database.prepare('insert into t values (?) returning a').reader).toBe(true);
    expect(database.prepare('insert into t values (?)').reader).toBe(false);
    expect(database.prepare('delete from t').reader).toBe(false);
    database.close();
    database.close(); // closing twice is harmless
  });
});

describe('Kysely over node:sqlite', () => {
  let db: Kysely<TestDb>;
  let file: string;

  beforeEach(async () => {
    file = newFile();
    db = new Kysely<TestDb>({ dialect: createSqliteDialect(file) });
    await createTable(db);
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('binds parameters and reads values back as documented', async () => {
    await db
      .insertInto('item')
      .values({ name: 'a', flag: true as unknown as number, data: Buffer.from('hi'), at: 1_763_000_000_123 })
      .execute();
    await db
      .insertInto('item')
      .values({ name: 'b', flag: null, data: null, at: undefined as unknown as null })
      .execute();
    const rows = await db.selectFrom('item').selectAll().orderBy('name').execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ name: 'a', flag: 1, at: 1_763_000_000_123 });
    expect(Buffer.from(rows[0]!.data!).toString()).toBe('hi');
    expect(rows[1]).toMatchObject({ name: 'b', flag: null, data: null, at: null });
    const found = await db.selectFrom('item').select('name').where('at', '>', 1_000).execute();
    expect(found.map((row) => row.name)).toEqual(['a']);
  });

  it('returns rows for reader statements and counts for writers', async () => {
    const inserted = await db
      .insertInto('item')
      .values({ name: 'x' })
      .returning(['id', 'name'])
      .executeTakeFirstOrThrow();
    expect(inserted).toEqual({ id: 1, name: 'x' });
    const plain = await db.insertInto('item').values({ name: 'y' }).executeTakeFirstOrThrow();
    expect(plain.insertId).toBe(2n);
    expect(plain.numInsertedOrUpdatedRows).toBe(1n);
    const updated = await db.updateTable('item').set({ flag: 0 }).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
  });

  it('commits a transaction and rolls one back when its callback throws', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ name: 'kept' }).execute();
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ name: 'lost' }).execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const names = await db.selectFrom('item').select('name').execute();
    expect(names.map((row) => row.name)).toEqual(['kept']);
  });

  it('serialises concurrent transactions of one process on its single connection', async () => {
    const run = (name: string) =>
      db.transaction().execute(async (trx) => {
        const count = await trx
          .selectFrom('item')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await trx
          .insertInto('item')
          .values({ name: `${name}-${count.n}` })
          .execute();
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    const names = (await db.selectFrom('item').select('name').execute()).map((row) => row.name.split('-')[1]);
    // Each transaction saw the previous one's row: the counts are 0, 1, 2, never a duplicate.
    expect(names.sort()).toEqual(['0', '1', '2']);
  });

  it('streams a select through iterate', async () => {
    await db
      .insertInto('item')
      .values(Array.from({ length: 25 }, (_, i) => ({ name: `n${String(i).padStart(2, '0')}` })))
      .execute();
    const seen: string[] = [];
    for await (const row of db.selectFrom('item').select('name').orderBy('name').stream())
      seen.push(row.name);
    expect(seen).toHaveLength(25);
    expect(seen[0]).toBe('n00');
    expect(seen[24]).toBe('n24');
  });

  it('enforces foreign keys and refuses integers beyond 2^53 on read', async () => {
    await sql`create table child (id integer primary key, item_id integer not null references item(id))`.execute(
      db,
    );
    await expect(sql`insert into child (item_id) values (${42})`.execute(db)).rejects.toThrow(/FOREIGN KEY/);
    await sql`insert into item (name, at) values ('big', ${2n ** 60n})`.execute(db);
    await expect(db.selectFrom('item').select('at').execute()).rejects.toThrow(/too large/);
  });
});

describe('idle reads', () => {
  let dialect: ReturnType<typeof createSqliteDialect>;
  let db: Kysely<TestDb>;
  const names = 'select name from item order by name';

  beforeEach(async () => {
    dialect = createSqliteDialect(newFile());
    db = new Kysely<TestDb>({ dialect });
    await createTable(db);
    await db.insertInto('item').values({ name: 'a' }).execute();
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('reads now, the rows Kysely reads, while nothing holds the connection', async () => {
    const now = dialect.idleReads.readIfIdle(names, []);
    const queued = (await sql.raw(names).execute(db)).rows;
    expect(now).toEqual(queued);
    expect(now).toEqual([{ name: 'a' }]);
  });

  it('declines while a transaction holds the connection, so its uncommitted rows are never read', async () => {
    let inside: unknown[] | undefined = [];
    let release!: () => void;
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transaction = db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ name: 'uncommitted' }).execute();
      inside = dialect.idleReads.readIfIdle(names, []);
      await paused;
      throw new Error('rolled back');
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The transaction is open (awaiting `paused`): a read from outside declines instead of reading in it.
    expect(dialect.idleReads.readIfIdle(names, [])).toBeUndefined();
    expect(inside).toBeUndefined();
    release();
    await expect(transaction).rejects.toThrow('rolled back');
    expect(dialect.idleReads.readIfIdle(names, [])).toEqual([{ name: 'a' }]);
  });

  it('declines while a stream holds the connection, and for writes, and once destroyed', async () => {
    const stream = db.selectFrom('item').select('name').stream();
    const first = await stream.next();
    expect(first.value).toEqual({ name: 'a' });
    expect(dialect.idleReads.readIfIdle(names, [])).toBeUndefined();
    await stream.return?.(undefined);
    expect(dialect.idleReads.readIfIdle(names, [])).toEqual([{ name: 'a' }]);
    expect(dialect.idleReads.readIfIdle("insert into item (name) values ('b')", [])).toBeUndefined();
    expect((await sql.raw(names).execute(db)).rows).toEqual([{ name: 'a' }]);
    await db.destroy();
    expect(dialect.idleReads.readIfIdle(names, [])).toBeUndefined();
  });
});

describe('store version (versionIfIdle)', () => {
  it('stays while nothing is committed and changes with every commit, of this connection or another', async () => {
    const file = newFile();
    const dialect = createSqliteDialect(file);
    const db = new Kysely<TestDb>({ dialect });
    try {
      await createTable(db);
      const version = () => dialect.idleReads.versionIfIdle();
      const first = version();
      expect(first).toBeDefined();
      await db.selectFrom('item').selectAll().execute();
      expect(version()).toBe(first);
      await db.insertInto('item').values({ name: 'own' }).execute();
      const afterOwn = version();
      expect(afterOwn).not.toBe(first);
      const other = openSqliteDatabase(file);
      other.exec("update item set flag = 1 where name = 'own'");
      const afterOther = version();
      expect(afterOther).not.toBe(afterOwn);
      other.exec("insert into item (name) values ('other')");
      expect(version()).not.toBe(afterOther);
      other.close();
      let release!: () => void;
      const paused = new Promise<void>((resolve) => {
        release = resolve;
      });
      const transaction = db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ name: 'inside' }).execute();
        await paused;
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(version()).toBeUndefined();
      release();
      await transaction;
      expect(version()).toBeDefined();
    } finally {
      await db.destroy();
    }
  });

  it('has no version for an in-memory database', async () => {
    const dialect = createSqliteDialect(':memory:');
    const db = new Kysely<TestDb>({ dialect });
    await createTable(db);
    expect(dialect.idleReads.versionIfIdle()).toBeUndefined();
    await db.destroy();
  });
});

describe('store version after the turn (versionAfterTurn)', () => {
  it('reads once, after every caller of the turn, so it shows a commit made after any of the calls', async () => {
    const file = newFile();
    const dialect = createSqliteDialect(file);
    const db = new Kysely<TestDb>({ dialect });
    const other = openSqliteDatabase(file);
    try {
      await createTable(db);
      const before = dialect.idleReads.versionIfIdle();
      const readings = vi.spyOn(dialect.idleReads, 'versionIfIdle');
      const first = dialect.idleReads.versionAfterTurn();
      // Another process commits after the first call and before the second: one reading serves both.
      other.exec("insert into item (name) values ('between')");
      const second = dialect.idleReads.versionAfterTurn();
      expect(second).toBe(first);
      const version = await first;
      expect(readings).toHaveBeenCalledTimes(1);
      expect(version).toBeDefined();
      expect(version).not.toBe(before);
      // A call after the reading waits for a reading of its own.
      other.exec("insert into item (name) values ('after')");
      const next = await dialect.idleReads.versionAfterTurn();
      expect(readings).toHaveBeenCalledTimes(2);
      expect(next).toBeDefined();
      expect(next).not.toBe(version);
      expect(await dialect.idleReads.versionAfterTurn()).toBe(next);
    } finally {
      other.close();
      await db.destroy();
    }
  });

  it('has no version when the reading fails (the callers read from the store)', async () => {
    const dialect = createSqliteDialect(newFile());
    const db = new Kysely<TestDb>({ dialect });
    try {
      await createTable(db);
      const failing = vi.spyOn(dialect.idleReads, 'versionIfIdle').mockImplementation(() => {
        throw new Error('unreadable');
      });
      expect(await dialect.idleReads.versionAfterTurn()).toBeUndefined();
      failing.mockRestore();
      expect(await dialect.idleReads.versionAfterTurn()).toBeDefined();
    } finally {
      await db.destroy();
    }
  });

  it('has no version while a transaction of this process holds the connection at the reading', async () => {
    const dialect = createSqliteDialect(newFile());
    const db = new Kysely<TestDb>({ dialect });
    try {
      await createTable(db);
      let release!: () => void;
      const paused = new Promise<void>((resolve) => {
        release = resolve;
      });
      let inside!: () => void;
      const started = new Promise<void>((resolve) => {
        inside = resolve;
      });
      const transaction = db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ name: 'inside' }).execute();
        inside();
        await paused;
      });
      await started;
      expect(await dialect.idleReads.versionAfterTurn()).toBeUndefined();
      release();
      await transaction;
      expect(await dialect.idleReads.versionAfterTurn()).toBeDefined();
    } finally {
      await db.destroy();
    }
  });
});
