/**
 * Paging as real clients follow it (issue 12, item 1), over HTTP on a listening server, on both stores:
 * every listed resource with 25 items and limit=10 is collected whole, without duplicates, in pages of
 * 10, 10 and 5, by each client style:
 *  - append: the client appends `_links.next.href` to its base path and sends its parameters again
 *    (`…?continuationToken=T&limit=10`);
 *  - split: the client cuts the token with `href.split("=")[1]` and sends `?continuationToken=<that>` alone.
 * The search endpoints page the same way (POST with the same body again, or with no body).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../src/domain/run.ts';
import { newRun } from '../src/flows/scheduler.ts';
import { createRepositories } from '../src/store/repositories.ts';
import { BASE, startTestSluice, type TestSluice } from './support/sluice.ts';
import { tenantOf } from './support/flows.ts';

const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';
const DATA_LAKE = 'c604ff05-7f1a-43c0-8e18-33bf874cb11c';
const CRM_TO_AEP = '14518937-270c-4525-bdec-c2ba7cce3860';
const ITEMS = 25;

interface Page {
  items: { id: string }[];
  _links: { next?: { href: string } };
}

describe.each(['sqlite', 'postgres'] as const)('paging as clients follow it [%s]', (dialect) => {
  let t: TestSluice;
  let root: string;
  let flowId: string;
  const ids: Record<string, string[]> = {};

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${root}${path}`, {
      method,
      headers: { ...t.headers(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** Set-up goes through the app in-process (faster); the paging under test goes over HTTP. */
  const created = async (path: string, body: unknown): Promise<string> => {
    const response = await t.request('POST', path, { body });
    expect(response.statusCode, response.body).toBe(201);
    const json = response.json() as { id?: string } | string[];
    return Array.isArray(json) ? String(json[0]).replace('@/dataSets/', '') : String(json.id);
  };

  beforeAll(async () => {
    t = await startTestSluice({ dialect });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    root = `http://127.0.0.1:${address.port}${BASE}`;

    const auth = {
      specName: 'Access Token Authentication',
      params: {
        domain: 'https://adb-1.1.azuredatabricks.net',
        clusterId: 'c',
        accessToken: 'dapi-x',
        database: 'd',
      },
    };
    const dataSetId = await created('/data/foundation/catalog/dataSets', {
      name: 'paging',
      schema: { fields: [{ name: 'id', type: 'string' }] },
    });
    const connections: string[] = [];
    const sources: string[] = [];
    const targets: string[] = [];
    const flows: string[] = [];
    for (let index = 0; index < ITEMS; index += 1) {
      const name = `item-${String(index).padStart(2, '0')}`;
      connections.push(
        await created('/connections?mode=draft', { name, auth, connectionSpec: { id: DATABRICKS } }),
      );
      sources.push(
        await created('/sourceConnections?mode=draft', {
          name,
          baseConnectionId: connections[0],
          data: { format: 'tabular' },
          params: { tableName: 'd.t', columns: [{ name: 'id', type: 'string' }] },
          connectionSpec: { id: DATABRICKS },
        }),
      );
      targets.push(
        await created('/targetConnections?mode=draft', {
          name,
          params: { dataSetId },
          connectionSpec: { id: DATA_LAKE },
        }),
      );
      flows.push(
        await created('/flows?mode=draft', {
          name,
          flowSpec: { id: CRM_TO_AEP },
          sourceConnectionIds: [sources[0]],
          targetConnectionIds: [targets[0]],
        }),
      );
    }
    // 25 ended runs of one flow (a 15-minute flow after six hours), written as the runner writes them.
    flowId = flows[0]!;
    const flow = await t.sluice.flows.load(tenantOf(t), flowId);
    const { runs: repository } = createRepositories(t.sluice.store.db);
    const runs: string[] = [];
    const start = Date.now() - ITEMS * 900_000;
    for (let index = 0; index < ITEMS; index += 1) {
      const at = start + index * 900_000;
      const run = newRun(flow, { start: at - 900_000, end: at }, at, at, 'scheduled');
      const ended: Run = { ...run, state: 'success', startedAt: at, completedAt: at + 1000 };
      // Ended runs are not active, so one flow holds many (as the runner leaves them).
      expect(await repository.insertIfNoActive(ended)).toBe(true);
      runs.push(ended.id);
    }
    Object.assign(ids, { connections, sourceConnections: sources, targetConnections: targets, flows, runs });
  });
  afterAll(async () => {
    await t.close();
  });

  const firstPath = (resource: string): string =>
    resource === 'runs' ? `/runs?limit=10&property=flowId==${flowId}` : `/${resource}?limit=10`;

  /** Collects every page; `next` turns a page's href into the next request path. */
  const collect = async (first: string, next: (href: string) => string) => {
    const sizes: number[] = [];
    const seen: string[] = [];
    let path: string | undefined = first;
    while (path !== undefined) {
      const response = await call('GET', path);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const page = response.body as unknown as Page;
      sizes.push(page.items.length);
      seen.push(...page.items.map((item) => item.id));
      const href = page._links.next?.href;
      if (href !== undefined) expect(href).toMatch(/^\/[A-Za-z/]+\?continuationToken=[A-Za-z0-9_-]+$/);
      path = href === undefined ? undefined : next(href);
      expect(sizes.length).toBeLessThanOrEqual(4);
    }
    return { sizes, seen };
  };

  describe.each(['connections', 'sourceConnections', 'targetConnections', 'flows', 'runs'])(
    '%s',
    (resource) => {
      const expectAll = (result: { sizes: number[]; seen: string[] }) => {
        expect(result.sizes).toEqual([10, 10, 5]);
        expect(new Set(result.seen).size).toBe(ITEMS);
        expect([...result.seen].sort()).toEqual([...(ids[resource] ?? [])].sort());
      };

      it('appending the href to the base path and sending limit again collects all 25', async () => {
        expectAll(await collect(firstPath(resource), (href) => `${href}&limit=10`));
      });

      it('cutting the token with href.split("=")[1] collects all 25', async () => {
        expectAll(
          await collect(
            firstPath(resource),
            (href) => `/${resource}?continuationToken=${href.split('=')[1]}`,
          ),
        );
      });

      it('accepts a repeated limit with the same value and refuses a different one', async () => {
        const same = await call('GET', `${firstPath(resource)}&limit=10`);
        expect(same.status).toBe(200);
        const different = await call('GET', `${firstPath(resource)}&limit=5`);
        expect(different.status).toBe(400);
        expect(different.body['type']).toContain('FLOW-1401-400');
        expect(String(different.body['errorMessage'])).toContain(
          "'limit' is given 2 times with different values",
        );
      });
    },
  );

  it('pages the runs of a flow as aepp does: every parameter sent again with the token', async () => {
    const result = await collect(
      firstPath('runs'),
      (href) => `/runs?continuationToken=${href.split('=')[1]}&limit=10&property=flowId==${flowId}`,
    );
    expect(result.sizes).toEqual([10, 10, 5]);
    expect(new Set(result.seen).size).toBe(ITEMS);
  });

  describe.each(['connections', 'flows'])('POST /%s/search', (resource) => {
    const body = { queryString: 'name!=nothing&property=state==draft', limit: 10, orderby: '-createdAt' };

    const search = async (next: (href: string) => [string, unknown]) => {
      const sizes: number[] = [];
      const seen: string[] = [];
      let request: [string, unknown] | undefined = [`/${resource}/search`, body];
      while (request !== undefined) {
        const response = await call('POST', request[0], request[1]);
        expect(response.status, JSON.stringify(response.body)).toBe(200);
        const page = response.body as unknown as Page;
        sizes.push(page.items.length);
        seen.push(...page.items.map((item) => item.id));
        const href = page._links.next?.href;
        if (href !== undefined) expect(href.startsWith(`/${resource}/search?continuationToken=`)).toBe(true);
        request = href === undefined ? undefined : next(href);
      }
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen).toEqual([...(ids[resource] ?? [])].reverse());
    };

    it('pages with the same body sent again', async () => {
      await search((href) => [href, body]);
    });

    it('pages with the token alone and no body', async () => {
      await search((href) => [`/${resource}/search?continuationToken=${href.split('=')[1]}`, undefined]);
    });

    it('counts, and refuses what the property parameter refuses', async () => {
      const counted = await call('POST', `/${resource}/search`, {
        queryString: 'name==item-01,item-02',
        count: true,
      });
      expect(counted.body).toEqual({ count: 2 });
      for (const [bad, code] of [
        [{ queryString: 'name~x' }, 'FLOW-1440-400'],
        [{ queryString: 'createdAt>abc' }, 'FLOW-1452-400'],
        [{ queryString: 'secret==x' }, 'FLOW-1449-400'],
        [{ limit: 1001 }, 'FLOW-1402-400'],
        [{ limit: 10, count: true }, 'FLOW-1401-400'],
        [{ orderby: 'state' }, 'FLOW-1433-400'],
        [{ projectionFields: 'id' }, 'FLOW-1407-400'],
      ] as const) {
        const response = await call('POST', `/${resource}/search`, bad);
        expect(response.status, JSON.stringify(bad)).toBe(400);
        expect(response.body['type'], JSON.stringify(bad)).toContain(code);
      }
    });
  });

  it('POST /flowSpecs/search filters the catalogue and pages it by token', async () => {
    const page = await call('POST', '/flowSpecs/search', { queryString: 'name==CRMToAEP', limit: 1 });
    expect((page.body as unknown as Page).items.map((spec) => spec.id)).toEqual([CRM_TO_AEP]);
    expect((await call('POST', '/flowSpecs/search', { queryString: 'name==none' })).body).toEqual({
      items: [],
      _links: {},
    });
  });

  it('refuses limit=+5 (a space once decoded), a literal +5, and createdAt>abc, saying what to fix', async () => {
    for (const query of ['limit=+5', 'limit=%2B5', 'limit=5%20']) {
      const response = await call('GET', `/flows?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body['type'], query).toContain('FLOW-1402-400');
      expect(String(response.body['errorMessage'])).toContain('digits only');
    }
    const response = await call('GET', '/runs?property=createdAt>abc');
    expect(response.status).toBe(400);
    expect(response.body['type']).toContain('FLOW-1452-400');
    expect(String(response.body['errorMessage'])).toContain('createdAt holds numbers');
  });

  it('refuses a token used on another resource, and a tampered one', async () => {
    const first = (await call('GET', '/connections?limit=10')).body as unknown as Page;
    const token = first._links.next!.href.split('=')[1]!;
    const foreign = await call('GET', `/flows?continuationToken=${token}`);
    expect(foreign.status).toBe(400);
    expect(foreign.body['type']).toContain('FLOW-1420-400');
    const tampered = `${token.slice(0, 8)}${token[8] === 'A' ? 'B' : 'A'}${token.slice(9)}`;
    expect((await call('GET', `/connections?continuationToken=${tampered}`)).status).toBe(400);
  });
});
