/**
 * Two processes writing one SQLite file in turn (BEGIN IMMEDIATE + busy_timeout): the case real
 * deployments have when a CLI and a server share the embedded store. Integration: it starts child processes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kysely, type Generated } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { createSqliteDialect } from './sqlite-driver.ts';

interface TestDb {
  item: { id: Generated<number>; name: string };
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-sqlite-processes-'));
const file = join(dir, 'two.db');
const db = new Kysely<TestDb>({ dialect: createSqliteDialect(file) });
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

it('lets two processes write to one file in turn (BEGIN IMMEDIATE + busy_timeout)', async () => {
  await db.schema
    .createTable('item')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .execute();
  // Two Stores on one file inside ONE process would block each other: node:sqlite waits for the
  // lock synchronously, on the thread the other connection needs. Real processes are the case.
  const script = `
    import { Kysely } from 'kysely';
    import { createSqliteDialect } from ${JSON.stringify(new URL('./sqlite-driver.ts', import.meta.url).href)};
    const db = new Kysely({ dialect: createSqliteDialect(process.argv[1]) });
    for (let t = 0; t < 200; t += 1) {
      await db.transaction().execute(async (trx) => {
        await trx.selectFrom('item').select('id').limit(1).execute(); // read first, then write
        for (let i = 0; i < 5; i += 1) await trx.insertInto('item').values({ name: process.argv[2] + t + '-' + i }).execute();
      });
    }
    await db.destroy();`;
  const child = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--input-type=module', '-e', script, file, prefix],
        { cwd: process.cwd() },
        (error, _out, err) => {
          if (error) reject(new Error(`${error.message}\n${err}`));
          else resolve(err);
        },
      );
    });
  await Promise.all([child('a'), child('b')]);
  const count = await db
    .selectFrom('item')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  expect(count.n).toBe(2000);
});
