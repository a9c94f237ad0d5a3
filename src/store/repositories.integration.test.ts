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
