/**
 * Stored entity views (migration 010, services/entity-views.ts): every write stores the connection's
 * masked GET item beside its body, and GET and unfiltered lists serve it. The stored text is the one the
 * service builds, holds no secret, follows every write, and a stale or missing key is rebuilt from the body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tenant } from '../src/domain/tenancy.ts';
import { parseListQuery } from '../src/domain/listing.ts';
import { ENTITY_LIST_RULES } from '../src/services/listing.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const DATABRICKS_SPEC = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const SECRET = 'dapi-views-secret-0123456789abcdef';

describe.each(['sqlite', 'postgres'] as const)('stored connection views [%s]', (dialect) => {
  let t: TestSluice;
  let tenant: Tenant;

  const create = async (name: string, secret = SECRET): Promise<{ id: string; etag: string }> => {
    const response = await t.request('POST', '/connections?mode=draft', {
      body: {
        name,
        description: 'stored view',
        auth: {
          specName: 'Access Token Authentication',
          params: {
            domain: 'https://adb-1234567890123456.7.azuredatabricks.net',
            clusterId: '0123-456789-abcdefgh',
            accessToken: secret,
            database: 'sales',
          },
        },
        connectionSpec: { id: DATABRICKS_SPEC, version: '1.0' },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const stored = (id: string) =>
    t.sluice.store.db
      .selectFrom('connections')
      .select(['view', 'view_key', 'body'])
      .where('id', '=', id)
      .executeTakeFirst();
  /** What the service builds from the body, as the client receives it. */
  const built = async (id: string): Promise<string> =>
    JSON.stringify(await t.sluice.connections.get(tenant, id));
  const list = (query: Record<string, string>) =>
    parseListQuery(query, {
      ...ENTITY_LIST_RULES,
      filterFields: ['name'],
      defaultLimit: 100,
      maxLimit: 1000,
    });

  beforeAll(async () => {
    t = await startTestSluice({ dialect });
    tenant = { orgId: t.credentials.org.id, sandboxId: t.credentials.sandbox.id, sandboxName: 'prod' };
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores the masked item the service builds, and GET sends it as it is', async () => {
    const { id } = await create('view one');
    const row = await stored(id);
    expect(row?.view).toBe(await built(id));
    expect(row?.view_key).toMatch(/^connections\/\d+\//);
    expect(row?.view).not.toContain(SECRET);
    expect(row?.view).toContain('"accessToken":"********"');

    const response = await t.request('GET', `/connections/${id}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toBe(`{"items":[${row?.view}]}`);
    expect(response.body).not.toContain(SECRET);
  });

  it('a PATCH refreshes the view; a delete removes it', async () => {
    const { id, etag } = await create('view patched');
    const secret = 'dapi-views-second-secret-fedcba9876';
    const patched = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [
        { op: 'replace', path: '/name', value: 'view renamed' },
        { op: 'replace', path: '/auth/params/accessToken', value: secret },
      ],
    });
    expect(patched.statusCode, patched.body).toBe(200);
    const row = await stored(id);
    expect(row?.view).toBe(await built(id));
    expect(JSON.parse(row?.view ?? '{}')).toMatchObject({
      name: 'view renamed',
      etag: (patched.json() as { etag: string }).etag,
    });
    expect(row?.view).not.toContain(secret);
    expect(row?.view).not.toContain(SECRET);
    expect((await t.request('GET', `/connections/${id}`)).body).toBe(`{"items":[${await built(id)}]}`);

    const deleted = await t.request('DELETE', `/connections/${id}`);
    expect(deleted.statusCode).toBe(204);
    expect(await stored(id)).toBeUndefined();
    expect((await t.request('GET', `/connections/${id}`)).statusCode).toBe(404);
  });

  it('a stale or missing view key is represented from the body, on GET and in lists', async () => {
    const { id } = await create('view stale');
    const fresh = await built(id);
    for (const [view, key] of [
      ['{"stale":"an older representation"}', 'connections/0/older'],
      [null, null],
      ['{"stale":"no key"}', null],
    ] as const) {
      await t.sluice.store.db
        .updateTable('connections')
        .set({ view, view_key: key })
        .where('id', '=', id)
        .execute();
      expect(await t.sluice.connections.getJson(tenant, id)).toBe(fresh);
      expect((await t.request('GET', `/connections/${id}`)).body).toBe(`{"items":[${fresh}]}`);
      const page = (await t.request('GET', '/connections?limit=100')).json() as { items: { id: string }[] };
      expect(JSON.stringify(page.items.find((item) => item.id === id))).toBe(fresh);
    }
  });

  it('lists from views are the lists built from bodies: pages, tokens, filters and count', async () => {
    for (let index = 0; index < 7; index += 1)
      await create(`view list ${index}`, `dapi-list-${index}-secret`);
    for (const query of [
      { limit: '3' },
      { limit: '2', orderby: '-name' },
      { limit: '100', property: 'name==view list 3' },
      { count: 'true' },
    ]) {
      let request = list(query);
      for (let pages = 0; pages < 20; pages += 1) {
        const fromViews = await t.sluice.connections.listJson(tenant, request);
        const fromBodies = await t.sluice.connections.list(tenant, request);
        if (fromBodies.kind === 'count') {
          expect(fromViews).toEqual(fromBodies);
          break;
        }
        expect(fromViews.kind).toBe('page');
        if (fromViews.kind !== 'page') break;
        expect(fromViews.items).toEqual(fromBodies.items.map((item) => JSON.stringify(item)));
        expect(fromViews.continuationToken).toBe(fromBodies.continuationToken);
        for (const item of fromViews.items) expect(item).not.toMatch(/dapi-/);
        if (fromViews.continuationToken === undefined) break;
        request = list({ continuationToken: fromViews.continuationToken });
      }
    }
    const body = (await t.request('GET', '/connections?limit=4')).body;
    const outcome = await t.sluice.connections.list(tenant, list({ limit: '4' }));
    expect(outcome.kind).toBe('page');
    if (outcome.kind === 'page') {
      expect(body).toBe(
        JSON.stringify({
          items: outcome.items,
          _links: { next: { href: `/connections?continuationToken=${outcome.continuationToken}` } },
        }),
      );
    }
  });
});
