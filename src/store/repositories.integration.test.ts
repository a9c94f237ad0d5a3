import { describe, expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/stores.ts';
import type { Connection } from '../domain/connection.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { migrations } from './migrations/index.ts';
import { createRepositories } from './repositories.ts';
import type { Database } from './schema.ts';

const tenantA: Tenant = { orgId: 'ORG-A@AdobeOrg', sandboxId: 'sb-a', sandboxName: 'prod' };
const tenantB: Tenant = { orgId: 'ORG-A@AdobeOrg', sandboxId: 'sb-b', sandboxName: 'dev' };

function connection(tenant: Tenant, id: string, name: string, createdAt: number): Connection {
  return {
    id,
    createdAt,
    updatedAt: createdAt,
    createdBy: 'u@AdobeID',
    updatedBy: 'u@AdobeID',
    createdClient: 'c',
    updatedClient: 'c',
    sandboxId: tenant.sandboxId,
    sandboxName: tenant.sandboxName,
    imsOrgId: tenant.orgId,
    etag: `"etag-${id}"`,
    name,
    connectionSpec: { id: 'spec', version: '1.0' },
    state: 'enabled',
    auth: { specName: 'x', params: { a: 1 } },
  };
}

describeEachStore('repositories', (ctx) => {
  describe('identity', () => {
    it('stores orgs, sandboxes, clients and tokens, and revokes once', async () => {
      const store = await ctx.open<Database>(migrations);
      const repos = createRepositories(store.db);
      await repos.identity.insertOrg({ id: 'O@AdobeOrg', name: 'Org', createdAt: 1 });
      await repos.identity.insertSandbox({
        id: 's1',
        orgId: 'O@AdobeOrg',
        name: 'prod',
        title: 'Prod',
        createdAt: 2,
      });
      await repos.identity.insertToken({
        id: 't1',
        orgId: 'O@AdobeOrg',
        userId: 'U@AdobeID',
        name: 'n',
        tokenHash: 'h',
        readOnly: true,
        createdAt: 3,
        expiresAt: null,
        revokedAt: null,
      });
      expect(await repos.identity.findSandbox('O@AdobeOrg', 'prod')).toMatchObject({
        id: 's1',
        title: 'Prod',
      });
      expect(await repos.identity.findSandbox('O@AdobeOrg', 'dev')).toBeUndefined();
      expect(await repos.identity.getToken('t1')).toMatchObject({
        readOnly: true,
        revokedAt: null,
        createdAt: 3,
      });
      expect(await repos.identity.revokeToken('t1', 10)).toBe(true);
      expect(await repos.identity.revokeToken('t1', 11)).toBe(false);
      expect((await repos.identity.getToken('t1'))?.revokedAt).toBe(10);
      await expect(
        repos.identity.insertSandbox({
          id: 's2',
          orgId: 'O@AdobeOrg',
          name: 'prod',
          title: 'again',
          createdAt: 4,
        }),
      ).rejects.toThrow();
    });
  });

  describe('identity: findCredentials (one statement per request)', () => {
    it('returns the token with the named client and the sandbox of the token org, or nothing', async () => {
      const store = await ctx.open<Database>(migrations);
      const { identity } = createRepositories(store.db);
      await identity.insertOrg({ id: 'O@AdobeOrg', name: 'Org', createdAt: 1 });
      await identity.insertOrg({ id: 'P@AdobeOrg', name: 'Other', createdAt: 1 });
      await identity.insertSandbox({
        id: 's1',
        orgId: 'O@AdobeOrg',
        name: 'prod',
        title: 'Prod',
        createdAt: 2,
      });
      await identity.insertSandbox({
        id: 's2',
        orgId: 'P@AdobeOrg',
        name: 'dev',
        title: 'Dev',
        createdAt: 2,
      });
      const token = {
        id: 't1',
        orgId: 'O@AdobeOrg',
        userId: 'U@AdobeID',
        name: 'n',
        tokenHash: 'h',
        readOnly: false,
        createdAt: 3,
        expiresAt: 99,
        revokedAt: null,
      };
      await identity.insertToken(token);
      const client = {
        id: 'k1',
        orgId: 'P@AdobeOrg',
        name: 'cli',
        keyHash: 'kh',
        createdAt: 4,
        revokedAt: 7,
      };
      await identity.insertClient(client);

      expect(await identity.findCredentials('t1', 'k1', 'prod')).toEqual({
        token,
        client,
        sandbox: { id: 's1', orgId: 'O@AdobeOrg', name: 'prod', title: 'Prod', createdAt: 2 },
      });
      // The sandbox is looked up in the token's org only; a null id or name looks nothing up.
      expect(await identity.findCredentials('t1', null, 'dev')).toEqual({
        token,
        client: undefined,
        sandbox: undefined,
      });
      expect(await identity.findCredentials('t1', 'nope', null)).toEqual({
        token,
        client: undefined,
        sandbox: undefined,
      });
      expect(await identity.findCredentials('t2', 'k1', 'prod')).toBeUndefined();
      expect(await identity.getToken('t1')).toEqual(token);
      expect(await identity.getClient('k1')).toEqual(client);
    });
  });

  describe('entities: scans of every shape', () => {
    it('filters by column, orders both ways and continues after a keyset position', async () => {
      const store = await ctx.open<Database>(migrations);
      const { connections } = createRepositories(store.db);
      for (let index = 0; index < 6; index += 1) {
        const entity = connection(tenantA, `a${index}`, `name-${index % 3}`, 1000 + index);
        await connections.insert(index % 2 === 0 ? entity : { ...entity, state: 'draft' });
      }
      await connections.insert(connection(tenantB, 'b0', 'name-0', 1000));
      const ids = (rows: readonly Connection[]) => rows.map((row) => row.id);
      const desc = { field: 'name', direction: 'desc' } as const;
      expect(ids(await connections.scan(tenantA, { orderBy: desc, limit: 10 }))).toEqual([
        'a5',
        'a2',
        'a4',
        'a1',
        'a3',
        'a0',
      ]);
      expect(
        ids(
          await connections.scan(tenantA, { orderBy: desc, limit: 2, after: { value: 'name-1', id: 'a4' } }),
        ),
      ).toEqual(['a1', 'a3']);
      expect(
        ids(await connections.scan(tenantA, { orderBy: desc, limit: 10, where: { state: 'draft' } })),
      ).toEqual(['a5', 'a1', 'a3']);
      expect(
        ids(
          await connections.scan(tenantA, {
            orderBy: { field: 'createdAt', direction: 'asc' },
            limit: 10,
            after: { value: 1001, id: 'a1' },
            where: { state: 'enabled', spec_id: 'spec' },
          }),
        ),
      ).toEqual(['a2', 'a4']);
      expect(
        await connections.scan(tenantA, { orderBy: desc, limit: 10, where: { spec_id: 'other' } }),
      ).toEqual([]);
    });
  });

  describe('entities', () => {
    it('isolates tenants, updates optimistically and pages by keyset', async () => {
      const store = await ctx.open<Database>(migrations);
      const { connections } = createRepositories(store.db);
      for (let index = 0; index < 5; index += 1) {
        await connections.insert(connection(tenantA, `a${index}`, `name-${4 - index}`, 1000 + index));
      }
      await connections.insert(connection(tenantB, 'b0', 'other', 1000));

      expect(await connections.get(tenantA, 'b0')).toBeUndefined();
      expect((await connections.get(tenantB, 'b0'))?.name).toBe('other');

      const first = await connections.scan(tenantA, {
        orderBy: { field: 'createdAt', direction: 'asc' },
        limit: 2,
      });
      expect(first.map((c) => c.id)).toEqual(['a0', 'a1']);
      const next = await connections.scan(tenantA, {
        orderBy: { field: 'createdAt', direction: 'asc' },
        limit: 10,
        after: { value: 1001, id: 'a1' },
      });
      expect(next.map((c) => c.id)).toEqual(['a2', 'a3', 'a4']);
      const byName = await connections.scan(tenantA, {
        orderBy: { field: 'name', direction: 'desc' },
        limit: 2,
      });
      expect(byName.map((c) => c.name)).toEqual(['name-4', 'name-3']);

      const current = (await connections.get(tenantA, 'a0'))!;
      expect(await connections.update({ ...current, name: 'renamed', etag: '"new"' }, '"stale"')).toBe(false);
      expect(await connections.update({ ...current, name: 'renamed', etag: '"new"' }, current.etag)).toBe(
        true,
      );
      expect((await connections.get(tenantA, 'a0'))?.name).toBe('renamed');

      expect(await connections.delete(tenantB, 'a0')).toBe(false);
      expect(await connections.delete(tenantA, 'a0')).toBe(true);
      expect(await connections.get(tenantA, 'a0')).toBeUndefined();
    });
  });
});
