/**
 * The stored-view reads (entity-repository.ts getView and scanViews: GET by id, unfiltered pages), read
 * by one store while another store on the same database (as another process would) inserts, updates
 * and deletes: a read after a write never answers the state before it, on either dialect, and another
 * tenant never sees a view. On SQLite these reads keep their results while nothing is committed
 * (prepared.ts keepWhileUnchanged, the store's version deciding); on PostgreSQL they read every time.
 */
import { StatementSync } from 'node:sqlite';
import { expect, it, vi } from 'vitest';
import { describeEachStore } from '../../test/support/stores.ts';
import type { Connection } from '../domain/connection.ts';
import type { Tenant } from '../domain/tenancy.ts';
import type { EntityViews } from './entity-repository.ts';
import { migrations } from './migrations/index.ts';
import { createRepositories } from './repositories.ts';
import type { Database } from './schema.ts';

const tenant: Tenant = { orgId: 'ORG-V@AdobeOrg', sandboxId: 'sb-v', sandboxName: 'prod' };
const otherSandbox: Tenant = { ...tenant, sandboxId: 'sb-w', sandboxName: 'dev' };
const otherOrg: Tenant = { ...tenant, orgId: 'ORG-W@AdobeOrg' };

const connection = (id: string, name: string, etag: string): Connection => ({
  id,
  createdAt: 1000,
  updatedAt: 1000,
  createdBy: 'u@AdobeID',
  updatedBy: 'u@AdobeID',
  createdClient: 'c',
  updatedClient: 'c',
  sandboxId: tenant.sandboxId,
  sandboxName: tenant.sandboxName,
  imsOrgId: tenant.orgId,
  etag,
  name,
  connectionSpec: { id: 'spec', version: '1.0' },
  state: 'enabled',
  auth: { specName: 'x', params: { a: 1 } },
});
const views: EntityViews<Connection> = {
  key: 'test/1',
  of: (entity) => JSON.stringify({ id: entity.id, name: entity.name, etag: entity.etag }),
};

describeEachStore('getView across stores', (ctx) => {
  const open = async () => {
    const store = await ctx.open<Database>(migrations);
    const other = await ctx.reopen(store);
    return {
      reader: createRepositories(store.db).connections.withViews(views),
      writer: createRepositories(other.db).connections.withViews(views),
      own: createRepositories(store.db).connections.withViews(views),
    };
  };
  const nameOf = (view: string | undefined) =>
    view === undefined ? undefined : (JSON.parse(view) as { name: string }).name;

  it('answers every update and delete made through another store, at once', async () => {
    const { reader, writer } = await open();
    await writer.insert(connection('c1', 'first', '"e1"'));
    for (let i = 0; i < 3; i += 1) expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
    expect(await writer.update(connection('c1', 'second', '"e2"'), '"e1"')).toBe(true);
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('second');
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('second');
    // A write to another row, or another table, of the database also makes the next read go to the store.
    await writer.insert(connection('c2', 'other', '"e3"'));
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('second');
    expect(await writer.delete(tenant, 'c1')).toBe(true);
    expect(await reader.getView(tenant, 'c1')).toBeUndefined();
    await writer.insert(connection('c1', 'again', '"e4"'));
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('again');
  });

  it('on SQLite, answers an unchanged row without a statement', async () => {
    if (ctx.dialect !== 'sqlite') return;
    const { reader, writer } = await open();
    await writer.insert(connection('c1', 'first', '"e1"'));
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
    const statements = vi.spyOn(StatementSync.prototype, 'all');
    try {
      expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
      expect(statements).not.toHaveBeenCalled();
      expect(await writer.update(connection('c1', 'second', '"e2"'), '"e1"')).toBe(true);
      expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('second');
      expect(statements).toHaveBeenCalled();
    } finally {
      statements.mockRestore();
    }
  });

  it('answers reads started together (one version reading on SQLite) with a write made before them', async () => {
    const { reader, writer } = await open();
    await writer.insert(connection('c1', 'first', '"e1"'));
    await writer.insert(connection('c2', 'two', '"e2"'));
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
    expect(nameOf(await reader.getView(tenant, 'c2'))).toBe('two');
    expect(await writer.update(connection('c1', 'second', '"e3"'), '"e1"')).toBe(true);
    const together = await Promise.all([
      reader.getView(tenant, 'c1'),
      reader.getView(tenant, 'c2'),
      reader.getView(tenant, 'c1'),
    ]);
    expect(together.map(nameOf)).toEqual(['second', 'two', 'second']);
    expect(await writer.delete(tenant, 'c2')).toBe(true);
    const afterDelete = await Promise.all([reader.getView(tenant, 'c2'), reader.getView(tenant, 'c1')]);
    expect(afterDelete.map(nameOf)).toEqual([undefined, 'second']);
  });

  it("answers this process's own writes, through any repository of the store", async () => {
    const { reader, own } = await open();
    await own.insert(connection('c1', 'first', '"e1"'));
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
    expect(await own.update(connection('c1', 'second', '"e2"'), '"e1"')).toBe(true);
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('second');
    expect(await own.delete(tenant, 'c1')).toBe(true);
    expect(await reader.getView(tenant, 'c1')).toBeUndefined();
  });

  it('pages of views follow every insert, update and delete made through another store', async () => {
    const { reader, writer } = await open();
    const page = async (tenantOf = tenant) =>
      (
        await reader.scanViews(tenantOf, { orderBy: { field: 'createdAt', direction: 'asc' }, limit: 10 })
      ).map((row) => nameOf(row.view));
    await writer.insert(connection('c1', 'one', '"e1"'));
    expect(await page()).toEqual(['one']);
    expect(await page()).toEqual(['one']);
    await writer.insert(connection('c2', 'two', '"e2"'));
    expect(await page()).toEqual(['one', 'two']);
    expect(await writer.update(connection('c1', 'uno', '"e3"'), '"e1"')).toBe(true);
    expect(await page()).toEqual(['uno', 'two']);
    expect(await writer.delete(tenant, 'c2')).toBe(true);
    expect(await page()).toEqual(['uno']);
    expect(await page(otherSandbox)).toEqual([]);
  });

  it('keys every view by its tenant: another sandbox or org of the same id sees nothing', async () => {
    const { reader, writer } = await open();
    await writer.insert(connection('c1', 'first', '"e1"'));
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
    expect(await reader.getView(otherSandbox, 'c1')).toBeUndefined();
    expect(await reader.getView(otherOrg, 'c1')).toBeUndefined();
    expect(nameOf(await reader.getView(tenant, 'c1'))).toBe('first');
  });
});
