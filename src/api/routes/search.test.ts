import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../test/support/sluice.ts';

let t: TestSluice;
beforeAll(async () => {
  t = await startTestSluice();
});
afterAll(async () => {
  await t.close();
});

describe('/openapi.json', () => {
  it('documents the search endpoints with their body, and the Schema Registry', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: any }> } }>>;
    };
    for (const resource of ['connections', 'flows', 'flowSpecs']) {
      const search = document.paths[`/data/foundation/flowservice/${resource}/search`]?.['post'];
      expect(search, resource).toBeDefined();
      const schema = search?.requestBody?.content['application/json']?.schema;
      expect(Object.keys(schema.anyOf[0].properties).sort()).toEqual([
        'count',
        'limit',
        'orderby',
        'queryString',
      ]);
    }
    for (const path of [
      '/tenant/schemas',
      '/tenant/schemas/{id}',
      '/tenant/schemas/fromTable',
      '/global/schemas',
    ]) {
      expect(Object.keys(document.paths), path).toContain(`/data/foundation/schemaregistry${path}`);
    }
  });
});

describe('POST /{collection}/search', () => {
  it('answers an empty sandbox, and 404 on collections without search', async () => {
    expect((await t.request('POST', '/connections/search', { body: {} })).json()).toEqual({
      items: [],
      _links: {},
    });
    expect((await t.request('POST', '/flows/search')).json()).toEqual({ items: [], _links: {} });
    expect((await t.request('POST', '/flows/search', { body: { count: true } })).json()).toEqual({
      count: 0,
    });
    expect((await t.request('POST', '/sourceConnections/search', { body: {} })).statusCode).toBe(404);
    const unknown = await t.request('POST', '/connections/search?limit=5', { body: {} });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().type).toContain('FLOW-1451-400');
  });
});
