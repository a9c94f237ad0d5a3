import { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db.ts';
import { prepareQuery } from './prepared.ts';

interface TestDb {
  item: { id: string; name: string };
}

describe('prepareQuery on the SQLite store', () => {
  let store: Store<TestDb> | undefined;
  afterEach(async () => {
    await store?.close();
  });

  const open = async (): Promise<Kysely<TestDb>> => {
    store = await openStore<TestDb>({ kind: 'sqlite', file: ':memory:' });
    await store.db.schema.createTable('item').addColumn('id', 'text').addColumn('name', 'text').execute();
    await store.db.insertInto('item').values({ id: '1', name: 'one' }).execute();
    return store.db;
  };
  const byId = (db: Kysely<TestDb>) =>
    prepareQuery<TestDb, { name: string }, [string]>(db, 1, (arg) =>
      db.selectFrom('item').select('name').where('id', '=', arg(0)),
    );

  it('answers a free connection and a held one alike, never from inside an open transaction', async () => {
    const db = await open();
    const read = byId(db);
    expect(await read('1')).toEqual([{ name: 'one' }]);
    let release!: () => void;
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transaction = db.transaction().execute(async (trx) => {
      await trx.updateTable('item').set({ name: 'uncommitted' }).execute();
      await paused;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Queued behind the transaction (as through Kysely): it reads once the transaction has committed.
    const during = read('1');
    release();
    await transaction;
    expect(await during).toEqual([{ name: 'uncommitted' }]);
    expect(await read('1')).toEqual([{ name: 'uncommitted' }]);
  });

  it('reads a transaction object through Kysely (only the store instance reads at once)', async () => {
    const db = await open();
    const names = await db.transaction().execute((trx) => byId(trx)('1'));
    expect(names).toEqual([{ name: 'one' }]);
  });
});
