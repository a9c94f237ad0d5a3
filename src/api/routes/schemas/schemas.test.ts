/**
 * The Schema Registry subset over HTTP (in-process, real store): create, look up by `meta:altId` and by
 * URL-encoded `$id` in each Accept form, list with the registry's paging, every refusal with its code,
 * and datasets and mapping sets that resolve a schema's `$id`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../../test/support/sluice.ts';

const REGISTRY = '/data/foundation/schemaregistry';
const XED = 'application/vnd.adobe.xed+json; version=1';
let t: TestSluice;
let counter = 0;

const call = (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.request(method, path.startsWith('/data/') ? path : `${REGISTRY}${path}`, {
    ...(body === undefined ? {} : { body }),
    headers,
  });

/** A record schema with inline fields, as Adobe's API takes it; titles are unique per test. */
const customers = (title = `Customers ${(counter += 1)}`) => ({
  title,
  description: 'Customers from the CRM.',
  type: 'object',
  allOf: [
    { $ref: 'https://ns.adobe.com/xdm/context/profile' },
    {
      properties: {
        _id: { type: 'string', title: 'Identifier' },
        person: {
          type: 'object',
          properties: {
            name: { type: 'object', properties: { fullName: { type: 'string', title: 'Full name' } } },
            birthDate: { type: 'string', format: 'date' },
          },
        },
        loyaltyPoints: { type: 'integer', minimum: 0, maximum: 1_000_000 },
        visits: { type: 'integer', 'meta:xdmType': 'long' },
        balance: { type: 'number', 'sluice:precision': 18, 'sluice:scale': 2 },
        score: { type: 'number' },
        active: { type: 'boolean' },
        updated: { type: 'string', format: 'date-time' },
      },
    },
  ],
});

const create = async (body: unknown = customers()): Promise<Record<string, any>> => {
  const response = await call('POST', '/tenant/schemas', body);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Record<string, any>;
};

const codeOf = (response: { statusCode: number; body: string }): string =>
  String((JSON.parse(response.body) as { type?: string }).type).replace(
    'https://ns.adobe.com/aep/errors/',
    '',
  );

beforeAll(async () => {
  t = await startTestSluice();
  await t.sluice.identity.createSandbox(t.credentials.org.id, 'dev');
});
afterAll(async () => {
  await t.close();
});

describe('POST /tenant/schemas', () => {
  it('creates a schema and answers it in Adobe shape with $id and meta:altId', async () => {
    const schema = await create();
    expect(schema['$id']).toMatch(/^https:\/\/ns\.adobe\.com\/[a-z0-9]+\/schemas\/[0-9a-f]{32}$/);
    const hex = String(schema['$id']).split('/').at(-1);
    expect(schema['meta:altId']).toMatch(new RegExp(`^_[a-z0-9]+\\.schemas\\.${hex}$`));
    expect(schema).toMatchObject({
      'meta:resourceType': 'schemas',
      version: '1.0',
      type: 'object',
      'meta:class': 'https://ns.adobe.com/xdm/context/profile',
      'meta:extends': ['https://ns.adobe.com/xdm/context/profile', 'https://ns.adobe.com/xdm/data/record'],
      'meta:containerId': 'tenant',
      imsOrg: t.credentials.org.id,
      'meta:xdmType': 'object',
    });
    const fields = schema['allOf'][1].properties;
    expect(fields._id).toEqual({ type: 'string', title: 'Identifier', 'meta:xdmType': 'string' });
    expect(fields.person.properties.birthDate['meta:xdmType']).toBe('date');
    expect(fields.loyaltyPoints['meta:xdmType']).toBe('int');
    expect(fields.visits['meta:xdmType']).toBe('long');
  });

  it.each([
    [{ ...customers(), title: '' }, 'XDM-1001-400', /title: required/],
    [{ ...customers(), type: 'array' }, 'XDM-1001-400', /type: must be "object"/],
    [
      { title: 'x', type: 'object', allOf: [{ properties: { a: { type: 'string' } } }] },
      'XDM-1001-400',
      /needs a class/,
    ],
    [
      {
        title: 'x',
        type: 'object',
        allOf: [
          { $ref: 'https://ns.adobe.com/xdm/data/record' },
          { properties: { tags: { type: 'array', items: { type: 'string' } } } },
        ],
      },
      'XDM-1001-400',
      /allOf\[1\]\.properties\.tags: arrays are not supported/,
    ],
    [
      {
        title: 'x',
        type: 'object',
        allOf: [
          { $ref: 'https://ns.adobe.com/xdm/data/record' },
          { properties: { 'first name': { type: 'string' } } },
        ],
      },
      'XDM-1001-400',
      /first name: the field name must match/,
    ],
    [
      {
        title: 'x',
        type: 'object',
        allOf: [
          { $ref: 'https://ns.adobe.com/xdm/data/record' },
          { properties: { a: { type: 'string' } } },
          { properties: { A: { type: 'integer' } } },
        ],
      },
      'XDM-1001-400',
      /defined twice/,
    ],
    [
      {
        title: 'x',
        type: 'object',
        allOf: [
          { $ref: 'https://ns.adobe.com/xdm/data/record' },
          { properties: { d: { type: 'string', format: 'date', 'meta:xdmType': 'date-time' } } },
        ],
      },
      'XDM-1001-400',
      /meta:xdmType must be date/,
    ],
    [
      { ...customers(), allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/experienceevent' }] },
      'XDM-1003-400',
      /time-series/,
    ],
    [
      {
        ...customers(),
        allOf: [
          { $ref: 'https://ns.adobe.com/xdm/data/record' },
          { $ref: 'https://ns.adobe.com/xdm/context/profile-person-details' },
        ],
      },
      'XDM-1003-400',
      /declare the fields inline/,
    ],
    [
      { ...customers(), $id: 'https://ns.adobe.com/x/schemas/1' },
      'FLOW-1410-400',
      /assigned by the Schema Registry/,
    ],
    [{ ...customers(), definitions: {} }, 'XDM-1001-400', /definitions: not supported/],
    [[], 'XDM-1001-400', /must be an XDM schema object/],
  ])('refuses %j with %s', async (body, code, message) => {
    const response = await call('POST', '/tenant/schemas', body);
    expect(response.statusCode).toBe(Number(code.slice(-3)));
    expect(codeOf(response)).toBe(code);
    expect(response.json().errorMessage).toMatch(message);
  });

  it('keeps titles unique per sandbox, whatever their case', async () => {
    const title = `Unique ${(counter += 1)}`;
    await create(customers(title));
    const again = await call('POST', '/tenant/schemas', customers(title.toUpperCase()));
    expect(again.statusCode).toBe(409);
    expect(codeOf(again)).toBe('XDM-1002-409');
    expect(
      (await call('POST', '/tenant/schemas', customers(title), { 'x-sandbox-name': 'dev' })).statusCode,
    ).toBe(201);
  });
});

describe('GET /tenant/schemas/{id}', () => {
  it('finds a schema by meta:altId and by URL-encoded $id, in each Accept form', async () => {
    const created = await create();
    const byAltId = await call('GET', `/tenant/schemas/${created['meta:altId']}`, undefined, { accept: XED });
    expect(byAltId.statusCode).toBe(200);
    expect(byAltId.json()).toEqual(created);
    const byId = await call('GET', `/tenant/schemas/${encodeURIComponent(created['$id'])}`, undefined, {
      accept: XED,
    });
    expect(byId.json()).toEqual(created);

    const full = (
      await call('GET', `/tenant/schemas/${created['meta:altId']}`, undefined, {
        accept: 'application/vnd.adobe.xed-full+json; version=1',
      })
    ).json() as Record<string, any>;
    expect(full['allOf']).toBeUndefined();
    expect(Object.keys(full['properties'])).toContain('person');
    const noText = (
      await call('GET', `/tenant/schemas/${created['meta:altId']}`, undefined, {
        accept: 'application/vnd.adobe.xed-full-notext+json; version=1',
      })
    ).json() as Record<string, any>;
    expect(noText['title']).toBeUndefined();
    expect(noText['properties']._id).toEqual({ type: 'string', 'meta:xdmType': 'string' });
  });

  it('refuses an Accept it does not serve, and other tenants get 404', async () => {
    const created = await create();
    const path = `/tenant/schemas/${created['meta:altId']}`;
    for (const accept of ['text/html', 'application/vnd.adobe.xed+json; version=2']) {
      const response = await call('GET', path, undefined, { accept });
      expect(response.statusCode, accept).toBe(406);
      expect(codeOf(response)).toBe('XDM-1004-406');
    }
    expect((await call('GET', path, undefined, { 'x-sandbox-name': 'dev' })).statusCode).toBe(404);
    expect(
      (await call('GET', '/tenant/schemas/_other.schemas.0123456789abcdef0123456789abcdef')).statusCode,
    ).toBe(404);
    expect((await call('GET', '/tenant/schemas/nonsense')).statusCode).toBe(404);
  });
});

describe('GET /tenant/schemas', () => {
  it("lists summaries and pages with the registry's start, _page and _links", async () => {
    const prefix = `Paged ${(counter += 1)}`;
    const titles = [3, 1, 4, 0, 2].map((index) => `${prefix} ${index}`);
    for (const title of titles) await create(customers(title));
    const seen: string[] = [];
    const only = encodeURIComponent(`title==${titles.join(',')}`);
    let path: string | undefined = `/tenant/schemas?orderby=title&limit=2&property=${only}`;
    let pages = 0;
    while (path !== undefined) {
      const response = await call('GET', path, undefined, { accept: 'application/vnd.adobe.xed-id+json' });
      expect(response.statusCode, response.body).toBe(200);
      const page = response.json() as {
        results: { title: string; $id: string; 'meta:altId': string; version: string }[];
        _page: { orderby: string; next: string | null; count: number };
        _links: { next: { href: string } | null; global_schemas: { href: string } };
      };
      pages += 1;
      expect(Object.keys(page.results[0] ?? {}).sort()).toEqual(['$id', 'meta:altId', 'title', 'version']);
      expect(page._page.count).toBe(page.results.length);
      expect(page._links.global_schemas.href).toBe(`${REGISTRY}/global/schemas`);
      seen.push(...page.results.map((result) => result.title));
      // Appending the next link to one's own parameters repeats limit with the same value: accepted.
      path = page._links.next === null ? undefined : `${page._links.next.href}&limit=2`;
      if (path !== undefined) expect(page._page.next).toBe(page.results.at(-1)?.title);
    }
    expect(seen).toEqual([...titles].sort());
    expect(pages).toBe(3);
  });

  it('returns full schemas with Accept xed+json, and an empty global container', async () => {
    const created = await create();
    const page = (
      await call(
        'GET',
        `/tenant/schemas?property=title==${encodeURIComponent(created['title'])}`,
        undefined,
        {
          accept: XED,
        },
      )
    ).json() as { results: unknown[] };
    expect(page.results).toEqual([created]);
    const global = (await call('GET', '/global/schemas')).json() as { results: unknown[] };
    expect(global.results).toEqual([]);
    expect(codeOf(await call('GET', '/tenant/schemas?orderby=version'))).toBe('FLOW-1433-400');
    expect(codeOf(await call('GET', '/tenant/schemas?limit=501'))).toBe('FLOW-1402-400');
    expect(codeOf(await call('GET', '/tenant/schemas?unknown=1'))).toBe('FLOW-1451-400');
  });
});

describe('datasets and mapping sets from a schema', () => {
  it("creates a dataset from Adobe's schemaRef body with the schema's fields", async () => {
    const schema = await create();
    const response = await call('POST', '/data/foundation/catalog/dataSets', {
      name: `From schema ${(counter += 1)}`,
      schemaRef: { id: schema['$id'], contentType: 'application/vnd.adobe.xed+json;version=1' },
      tags: { unifiedProfile: ['enabled: true'] },
    });
    expect(response.statusCode, response.body).toBe(201);
    const id = String((response.json() as string[])[0]).replace('@/dataSets/', '');
    const dataset = (await call('GET', `/data/foundation/catalog/dataSets/${id}`)).json() as Record<
      string,
      any
    >;
    expect(dataset[id].schemaRef.id).toBe(schema['$id']);
    expect(dataset[id].schema.fields).toEqual([
      { name: '_id', type: 'string' },
      {
        name: 'person',
        type: 'object',
        fields: [
          { name: 'name', type: 'object', fields: [{ name: 'fullName', type: 'string' }] },
          { name: 'birthDate', type: 'date' },
        ],
      },
      { name: 'loyaltyPoints', type: 'integer' },
      { name: 'visits', type: 'long' },
      { name: 'balance', type: 'decimal', precision: 18, scale: 2 },
      { name: 'score', type: 'double' },
      { name: 'active', type: 'boolean' },
      { name: 'updated', type: 'date-time' },
    ]);
  });

  it('refuses a schemaRef the registry does not have, and a schema without fields', async () => {
    const unknown = await call('POST', '/data/foundation/catalog/dataSets', {
      name: `Unknown ${(counter += 1)}`,
      schemaRef: { id: 'https://ns.adobe.com/sluice/schemas/0123456789abcdef0123456789abcdef' },
    });
    expect(codeOf(unknown)).toBe('CATALOG-1003-400');
    const empty = await create({
      title: `Empty ${(counter += 1)}`,
      type: 'object',
      allOf: [{ $ref: 'https://ns.adobe.com/xdm/context/profile' }],
    });
    const response = await call('POST', '/data/foundation/catalog/dataSets', {
      name: `Empty ${counter}`,
      schemaRef: { id: empty['meta:altId'] },
    });
    expect(codeOf(response)).toBe('CATALOG-1001-400');
    expect(response.json().errorMessage).toMatch(/has no fields/);
  });

  it("validates a mapping set's destinations against the schema its xdmSchema names", async () => {
    const schema = await create();
    const body = (destination: string) => ({
      version: 0,
      xdmSchema: schema['$id'],
      xdmVersion: '1.0',
      id: null,
      mappings: [{ destinationXdmPath: destination, sourceAttribute: 'Name', identity: false, version: 0 }],
    });
    expect(
      (await call('POST', '/data/foundation/conversion/mappingSets', body('person.name.fullName')))
        .statusCode,
    ).toBe(201);
    const wrong = await call('POST', '/data/foundation/conversion/mappingSets', body('person.name.nickname'));
    expect(codeOf(wrong)).toBe('FLOW-1419-400');
  });
});
