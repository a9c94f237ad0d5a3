import { expect, it } from 'vitest';
import { describeEachStore } from '../../test/support/stores.ts';
import type { MappingSet } from '../domain/mapping.ts';
import type { Tenant } from '../domain/tenancy.ts';
import { migrations } from './migrations/index.ts';
import { createRepositories } from './repositories.ts';
import type { Database } from './schema.ts';

const tenantA: Tenant = { orgId: 'ORG-A@AdobeOrg', sandboxId: 'sb-a', sandboxName: 'prod' };
const tenantB: Tenant = { orgId: 'ORG-A@AdobeOrg', sandboxId: 'sb-b', sandboxName: 'dev' };

function mappingSet(tenant: Tenant, id: string, version: number, at: number, name?: string): MappingSet {
  return {
    id,
    version,
    imsOrgId: tenant.orgId,
    sandboxId: tenant.sandboxId,
    sandboxName: tenant.sandboxName,
    ...(name === undefined ? {} : { name }),
    xdmSchema: 'https://ns.adobe.com/tenant/schemas/s1',
    xdmVersion: '1.0',
    mappings: [
      {
        id: `${id}-m${version}`,
        version,
        sourceType: 'ATTRIBUTE',
        source: `col${version}`,
        sourceAttribute: `col${version}`,
        destination: '_id',
        destinationXdmPath: '_id',
        identity: false,
        identityGroup: null,
        namespaceCode: null,
      },
    ],
    createdDate: 1000,
    modifiedDate: at,
    createdBy: 'U@AdobeID',
    modifiedBy: 'U@AdobeID',
  };
}

const id = (n: number): string => n.toString(16).padStart(32, '0');

describeEachStore('mapping repository', (ctx) => {
  it('keeps every version readable and appends only on the latest', async () => {
    const store = await ctx.open<Database>(migrations);
    const { mappingSets } = createRepositories(store.db);
    await mappingSets.insert(mappingSet(tenantA, id(1), 0, 1000, 'first'));

    expect(await mappingSets.appendVersion(mappingSet(tenantA, id(1), 1, 2000, 'renamed'))).toBe(true);
    // A writer that read version 0 too loses: version 1 exists.
    expect(await mappingSets.appendVersion(mappingSet(tenantA, id(1), 1, 2500))).toBe(false);
    // Skipping a version is refused as well.
    expect(await mappingSets.appendVersion(mappingSet(tenantA, id(1), 3, 3000))).toBe(false);

    expect((await mappingSets.get(tenantA, id(1)))?.version).toBe(1);
    expect((await mappingSets.get(tenantA, id(1)))?.name).toBe('renamed');
    expect((await mappingSets.get(tenantA, id(1), 0))?.mappings[0]?.source).toBe('col0');
    expect((await mappingSets.get(tenantA, id(1), 1))?.mappings[0]?.source).toBe('col1');
    expect(await mappingSets.get(tenantA, id(1), 2)).toBeUndefined();
    expect(await mappingSets.get(tenantA, id(9))).toBeUndefined();
  });

  it('lets exactly one of two concurrent writers create the next version', async () => {
    // One store: SQLite serialises its single connection, PostgreSQL runs both on its pool at once.
    const store = await ctx.open<Database>(migrations);
    const { mappingSets } = createRepositories(store.db);
    await mappingSets.insert(mappingSet(tenantA, id(1), 0, 1000));
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((name) => mappingSets.appendVersion(mappingSet(tenantA, id(1), 1, 2000, name))),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const winner = ['a', 'b', 'c'][outcomes.indexOf(true)];
    expect((await mappingSets.get(tenantA, id(1)))?.name).toBe(winner);
  });

  it('isolates tenants', async () => {
    const store = await ctx.open<Database>(migrations);
    const { mappingSets } = createRepositories(store.db);
    await mappingSets.insert(mappingSet(tenantA, id(1), 0, 1000));
    expect(await mappingSets.get(tenantB, id(1))).toBeUndefined();
    expect(await mappingSets.get(tenantB, id(1), 0)).toBeUndefined();
    expect(await mappingSets.appendVersion(mappingSet(tenantB, id(1), 1, 2000))).toBe(false);
    expect(
      await mappingSets.list(tenantB, {
        orderBy: { field: 'createdDate', direction: 'asc' },
        limit: 10,
        start: 0,
      }),
    ).toEqual({
      items: [],
      total: 0,
    });
  });

  it('lists the latest versions by offset, ordered and filtered by name', async () => {
    const store = await ctx.open<Database>(migrations);
    const { mappingSets } = createRepositories(store.db);
    for (let n = 1; n <= 5; n += 1) {
      await mappingSets.insert({
        ...mappingSet(tenantA, id(n), 0, 1000 + n, n % 2 === 0 ? 'even' : 'odd'),
        createdDate: 1000 + n,
      });
    }
    await mappingSets.appendVersion({ ...mappingSet(tenantA, id(1), 1, 9000, 'odd'), createdDate: 1001 });
    await mappingSets.insert(mappingSet(tenantB, id(6), 0, 1000));

    const asc = await mappingSets.list(tenantA, {
      orderBy: { field: 'createdDate', direction: 'asc' },
      limit: 2,
      start: 1,
    });
    expect(asc.total).toBe(5);
    expect(asc.items.map((s) => s.id)).toEqual([id(2), id(3)]);

    const modified = await mappingSets.list(tenantA, {
      orderBy: { field: 'modifiedDate', direction: 'desc' },
      limit: 2,
      start: 0,
    });
    expect(modified.items.map((s) => [s.id, s.version])).toEqual([
      [id(1), 1],
      [id(5), 0],
    ]);

    const even = await mappingSets.list(tenantA, {
      orderBy: { field: 'createdDate', direction: 'desc' },
      limit: 10,
      start: 0,
      name: 'even',
    });
    expect(even).toMatchObject({ total: 2 });
    expect(even.items.map((s) => s.id)).toEqual([id(4), id(2)]);

    const beyond = await mappingSets.list(tenantA, {
      orderBy: { field: 'createdDate', direction: 'asc' },
      limit: 2,
      start: 10,
    });
    expect(beyond).toEqual({ items: [], total: 5 });
  });

  it('refuses a duplicate id', async () => {
    const store = await ctx.open<Database>(migrations);
    const { mappingSets } = createRepositories(store.db);
    await mappingSets.insert(mappingSet(tenantA, id(1), 0, 1000));
    await expect(mappingSets.insert(mappingSet(tenantA, id(1), 0, 1000))).rejects.toThrow();
    expect((await mappingSets.get(tenantA, id(1)))?.version).toBe(0);
  });
});
