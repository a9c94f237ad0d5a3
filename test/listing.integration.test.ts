/** Listing over HTTP: pages that follow _links.next.href, ordering, property filters and count. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

type Page = {
  items: { id: string; name: string; createdAt: number; state: string }[];
  _links: { next?: { href: string } };
};

describe.each(['sqlite', 'postgres'] as const)('connections listing [%s]', (dialect) => {
  let t: TestSluice;
  const names: string[] = [];

  beforeAll(async () => {
    t = await startTestSluice({ dialect });
    for (let index = 0; index < 23; index += 1) {
      const name = `conn-${String(index).padStart(2, '0')}`;
      names.push(name);
      const response = await t.request('POST', '/connections?mode=draft', {
        body: {
          name,
          auth: {
            specName: 'Access Token Authentication',
            params: {
              domain: 'https://adb-1.1.azuredatabricks.net',
              clusterId: `c${index % 3}`,
              accessToken: 'dapi-x',
              database: 'd',
            },
          },
          connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b' },
        },
      });
      expect(response.statusCode).toBe(201);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const followAll = async (first: string): Promise<string[]> => {
    const seen: string[] = [];
    let url: string | undefined = first;
    while (url !== undefined) {
      const response = await t.request('GET', url);
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as Page;
      seen.push(...page.items.map((item) => item.name));
      url = page._links.next?.href;
    }
    return seen;
  };

  it('pages through everything exactly once by following next links', async () => {
    expect(await followAll('/connections?limit=5&orderby=name')).toEqual(names);
    expect(await followAll('/connections?limit=7&orderby=-name')).toEqual([...names].reverse());
  });

  it('fills pages even when a filter is sparse', async () => {
    const seen = await followAll('/connections?limit=2&property=auth.params.clusterId==c1');
    expect(seen).toEqual(names.filter((_name, index) => index % 3 === 1));
    const first = (
      await t.request('GET', '/connections?limit=2&property=auth.params.clusterId==c1')
    ).json() as Page;
    expect(first.items).toHaveLength(2);
  });

  it('counts with filters, and rejects count with limit', async () => {
    expect((await t.request('GET', '/connections?count=true')).json()).toEqual({ count: 23 });
    expect((await t.request('GET', '/connections?count=true&property=name==conn-01,conn-02')).json()).toEqual(
      { count: 2 },
    );
    expect((await t.request('GET', '/connections?count=true&limit=5')).statusCode).toBe(400);
  });

  it('cannot filter on a masked secret', async () => {
    expect(
      (await t.request('GET', '/connections?count=true&property=auth.params.accessToken==dapi-x')).json(),
    ).toEqual({ count: 0 });
  });

  it('refuses a tampered continuation token and one from another query', async () => {
    const page = (await t.request('GET', '/connections?limit=5')).json() as Page;
    const href = page._links.next!.href;
    const token = new URL(href, 'http://x').searchParams.get('continuationToken')!;
    const tampered = `${token.slice(0, -3)}abc`;
    const bad = await t.request(
      'GET',
      `/connections?limit=5&continuationToken=${encodeURIComponent(tampered)}`,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('FLOW-1420-400');
    const foreign = await t.request(
      'GET',
      `/connections?limit=5&orderby=-name&continuationToken=${encodeURIComponent(token)}`,
    );
    expect(foreign.statusCode).toBe(400);
  });

  it('returns an empty _links on the last page', async () => {
    const page = (await t.request('GET', '/connections?limit=100')).json() as Page;
    expect(page.items).toHaveLength(23);
    expect(page._links).toEqual({});
  });
});

describe('connectionSpecs', () => {
  let t: TestSluice;
  beforeAll(async () => {
    t = await startTestSluice();
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists specs, filters by name and gets one by id', async () => {
    const all = (await t.request('GET', '/connectionSpecs')).json() as {
      items: { id: string; name: string }[];
    };
    expect(all.items.map((spec) => spec.name)).toContain('databricks');
    const filtered = (await t.request('GET', '/connectionSpecs?property=name=="databricks"')).json() as {
      items: { id: string }[];
    };
    expect(filtered.items.map((spec) => spec.id)).toEqual(['e9d7ec6b-0873-4e57-ad21-b3a7c65e310b']);
    const one = (await t.request('GET', '/connectionSpecs/e9d7ec6b-0873-4e57-ad21-b3a7c65e310b')).json() as {
      items: unknown[];
    };
    expect(one.items).toHaveLength(1);
    expect((await t.request('GET', '/connectionSpecs/nope')).statusCode).toBe(404);
    expect((await t.request('GET', '/connectionSpecs?limit=5')).statusCode).toBe(400);
  });
});
