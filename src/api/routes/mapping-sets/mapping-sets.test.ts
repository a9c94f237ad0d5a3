import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../../../test/support/sluice.ts';

const PREFIX = '/data/foundation/conversion';
let t: TestSluice;
let otherSandbox: Record<string, string>;
let otherOrg: Record<string, string>;

/** The tutorial body of flow-service-api.md §6 step 7, as Adobe's docs send it. */
const adobeBody = {
  version: 0,
  xdmSchema: 'https://ns.adobe.com/tenant/schemas/52b5',
  xdmVersion: '1.0',
  id: null,
  mappings: [
    {
      destinationXdmPath: '_id',
      sourceAttribute: 'TestID',
      identity: false,
      identityGroup: null,
      namespaceCode: null,
      version: 0,
    },
    {
      destinationXdmPath: 'person.name.fullName',
      sourceAttribute: 'Name',
      identity: false,
      identityGroup: null,
      namespaceCode: null,
      version: 0,
    },
  ],
};

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method,
    url: `${PREFIX}${path}`,
    headers: {
      ...t.headers(),
      ...headers,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });

const create = async (body: unknown = adobeBody): Promise<string> => {
  const response = await call('POST', '/mappingSets', body);
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { id: string }).id;
};

beforeAll(async () => {
  t = await startTestSluice();
  await t.sluice.identity.createSandbox(t.credentials.org.id, 'dev');
  otherSandbox = { 'x-sandbox-name': 'dev' };
  const org = await t.sluice.identity.createOrg('Org B');
  otherOrg = {
    authorization: `Bearer ${org.accessToken}`,
    'x-api-key': org.apiKey,
    'x-gw-ims-org-id': org.org.id,
    'x-sandbox-name': 'prod',
  };
});
afterAll(async () => {
  await t.close();
});

describe('POST /mappingSets', () => {
  it("creates version 0 from Adobe's tutorial body and reads it back in both spellings", async () => {
    const response = await call('POST', '/mappingSets', adobeBody);
    expect(response.statusCode).toBe(201);
    const created = response.json() as Record<string, unknown>;
    expect(Object.keys(created).sort()).toEqual([
      'createdBy',
      'createdDate',
      'id',
      'modifiedBy',
      'modifiedDate',
      'version',
    ]);
    expect(created['id']).toMatch(/^[0-9a-f]{32}$/);
    expect(created).toMatchObject({ version: 0, createdBy: expect.stringMatching(/@AdobeID$/) as string });

    const read = await call('GET', `/mappingSets/${String(created['id'])}`);
    expect(read.statusCode).toBe(200);
    const set = read.json() as Record<string, unknown>;
    expect(set).toMatchObject({
      id: created['id'],
      version: 0,
      xdmSchema: adobeBody.xdmSchema,
      xdmVersion: '1.0',
      status: 'PUBLISHED',
      schemaRef: { id: adobeBody.xdmSchema, contentType: '1.0' },
      createdDate: created['createdDate'],
    });
    expect(set).not.toHaveProperty('imsOrgId');
    expect((set['mappings'] as unknown[])[1]).toMatchObject({
      sourceType: 'ATTRIBUTE',
      source: 'Name',
      sourceAttribute: 'Name',
      destination: 'person.name.fullName',
      destinationXdmPath: 'person.name.fullName',
      identity: false,
      version: 0,
      id: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
    });
  });

  it("accepts Adobe's newer outputSchema/source/destination shape", async () => {
    const id = await create({
      outputSchema: {
        schemaRef: {
          id: 'https://ns.adobe.com/tenant/schemas/x',
          contentType: 'application/vnd.adobe.xed-full+json;version=1',
        },
      },
      mappings: [
        {
          sourceType: 'ATTRIBUTE',
          source: 'id',
          destination: '_id',
          name: 'id',
          description: 'Identifier field',
        },
      ],
    });
    const set = (await call('GET', `/mappingSets/${id}`)).json() as Record<string, unknown>;
    expect(set).toMatchObject({
      xdmSchema: 'https://ns.adobe.com/tenant/schemas/x',
      xdmVersion: 'application/vnd.adobe.xed-full+json;version=1',
      mappings: [
        { sourceAttribute: 'id', destinationXdmPath: '_id', name: 'id', description: 'Identifier field' },
      ],
    });
  });

  it('validates against sourceSchema columns and reports every problem', async () => {
    const response = await call('POST', '/mappingSets', {
      xdmSchema: 'https://ns.adobe.com/tenant/schemas/x',
      sourceSchema: {
        columns: [
          { name: 'id', type: 'long', xdm: { type: 'integer' } },
          { name: 'name', type: 'string' },
        ],
      },
      mappings: [
        { source: 'id', destination: '_id' },
        { source: 'email', destination: 'person.email' },
        { source: 'name', destination: '_id' },
        { source: 'name', sourceAttribute: 'other', destination: 'person.name' },
        { source: 'name', destination: 'person' },
      ],
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json() as {
      type: string;
      report: { problems: { code: string; index?: number }[] };
      errorMessage: string;
    };
    expect(problem.type).toContain('FLOW-1419-400');
    expect(problem.report.problems.map((p) => [p.code, p.index])).toEqual([
      ['CONFLICTING_ALIASES', 3],
      ['UNKNOWN_SOURCE_ATTRIBUTE', 1],
      ['DUPLICATE_DESTINATION', 2],
      ['OVERLAPPING_DESTINATION', 1],
    ]);
    expect(problem.errorMessage).toContain("'email' is not a source column; the columns are id, name");
  });

  it('refuses empty mappings, a missing schema, a server-owned id and unknown column types', async () => {
    const empty = await call('POST', '/mappingSets', { xdmSchema: 's', mappings: [] });
    expect(empty.statusCode).toBe(400);
    expect((empty.json() as { report: { problems: { code: string }[] } }).report.problems[0]?.code).toBe(
      'EMPTY_MAPPINGS',
    );

    const noSchema = await call('POST', '/mappingSets', { mappings: [{ source: 'a', destination: 'b' }] });
    expect(noSchema.statusCode).toBe(400);
    expect((noSchema.json() as { errorMessage: string }).errorMessage).toContain('xdmSchema');

    const withId = await call('POST', '/mappingSets', {
      ...adobeBody,
      id: '0b090130b58b4819afc78b6dc98b484d',
    });
    expect(withId.statusCode).toBe(400);
    expect((withId.json() as { type: string }).type).toContain('FLOW-1410-400');

    const badType = await call('POST', '/mappingSets', {
      ...adobeBody,
      sourceSchema: { columns: [{ name: 'TestID', type: 'struct' }] },
    });
    expect(badType.statusCode).toBe(400);
    expect((badType.json() as { type: string }).type).toContain('FLOW-1407-400');

    const expression = await call('POST', '/mappingSets', {
      xdmSchema: 's',
      mappings: [
        { sourceType: 'EXPRESSION', source: "concat(first, ' ', last)", destination: 'person.name.fullName' },
      ],
    });
    expect((expression.json() as { report: { problems: { code: string }[] } }).report.problems[0]?.code).toBe(
      'UNSUPPORTED_SOURCE_TYPE',
    );
  });
});

describe("explore's column shapes in sourceSchema", () => {
  it('reads a temporal column as its meta:xdmType, not as a string', async () => {
    const dataset = await t.request('POST', '/data/foundation/catalog/dataSets', {
      body: {
        name: 'flags',
        schema: {
          fields: [
            { name: 'flag1', type: 'boolean' },
            { name: 'flag2', type: 'boolean' },
          ],
        },
      },
    });
    expect(dataset.statusCode, dataset.body).toBe(201);
    const dataSetId = String((dataset.json() as string[])[0]).replace('@/dataSets/', '');
    const response = await call('POST', '/mappingSets/validate', {
      xdmSchema: 's',
      dataSetId,
      sourceSchema: {
        columns: [
          { name: 'Text', type: 'string', xdm: { type: 'string' } },
          {
            name: 'Datefield',
            type: 'string',
            'meta:xdmType': 'date-time',
            xdm: { type: 'string', format: 'date-time' },
          },
        ],
      },
      mappings: [
        { source: 'Text', destination: 'flag1' },
        { source: 'Datefield', destination: 'flag2' },
      ],
    });
    const body = response.json() as {
      validationResponse: { status: string }[];
      problems: { message: string }[];
    };
    // A string parses as a boolean; a date-time never becomes one.
    expect(body.validationResponse.map((entry) => entry.status)).toEqual(['SUCCESS', 'ERROR']);
    expect(body.problems.map((problem) => problem.message).join(' ')).toContain('date-time');
  });
});

describe('POST /mappingSets/validate', () => {
  it('reports a status per mapping and stores nothing', async () => {
    const before = (await call('GET', '/mappingSets?limit=1')).json() as { _page: { total: number } };
    const response = await call('POST', '/mappingSets/validate', {
      xdmSchema: 's',
      sourceSchema: { columns: [{ name: 'id', type: 'long' }] },
      mappings: [
        { sourceType: 'ATTRIBUTE', source: 'id', destination: '_id' },
        { sourceType: 'ATTRIBUTE', source: 'nope', destination: 'x' },
      ],
    });
    expect(response.statusCode).toBe(200);
    const body = response.json() as {
      validationResponse: { status: string; errors: { code: string }[] | null }[];
      problems: { code: string; index: number }[];
    };
    expect(body.validationResponse.map((entry) => entry.status)).toEqual(['SUCCESS', 'ERROR']);
    expect(body.validationResponse[0]?.errors).toBeNull();
    expect(body.validationResponse[1]?.errors?.map((error) => error.code)).toEqual([
      'UNKNOWN_SOURCE_ATTRIBUTE',
    ]);
    expect(body.problems).toMatchObject([{ code: 'UNKNOWN_SOURCE_ATTRIBUTE', index: 1 }]);
    const after = (await call('GET', '/mappingSets?limit=1')).json() as { _page: { total: number } };
    expect(after._page.total).toBe(before._page.total);
  });

  it('reports set-level problems outside the per-mapping list', async () => {
    const body = (await call('POST', '/mappingSets/validate', { xdmSchema: 's', mappings: [] })).json() as {
      validationResponse: unknown[];
      problems: { code: string }[];
    };
    expect(body).toMatchObject({ validationResponse: [], problems: [{ code: 'EMPTY_MAPPINGS' }] });
  });
});

describe('PUT /mappingSets/{id} and versions', () => {
  it('writes a new version and keeps the old one readable', async () => {
    const id = await create();
    const updated = await call('PUT', `/mappingSets/${id}`, {
      ...adobeBody,
      id,
      name: 'v1',
      mappings: [{ source: 'Other', destination: '_id' }],
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({
      id,
      version: 1,
      name: 'v1',
      mappings: [{ source: 'Other', version: 1 }],
    });

    expect((await call('GET', `/mappingSets/${id}`)).json()).toMatchObject({ version: 1, name: 'v1' });
    const v0 = (await call('GET', `/mappingSets/${id}?version=0`)).json() as {
      version: number;
      mappings: unknown[];
    };
    expect(v0.version).toBe(0);
    expect(v0.mappings).toHaveLength(2);
    expect((await call('GET', `/mappingSets/${id}?version=1`)).json()).toMatchObject({ version: 1 });

    const missing = await call('GET', `/mappingSets/${id}?version=7`);
    expect(missing.statusCode).toBe(404);
    expect((missing.json() as { type: string }).type).toContain('FLOW-1439-404');
    expect((await call('GET', `/mappingSets/${id}?version=abc`)).statusCode).toBe(400);
    expect((await call('GET', `/mappingSets/${id}?versions=1`)).statusCode).toBe(400);
  });

  it('refuses an update based on a stale version, a different id and invalid mappings', async () => {
    const id = await create();
    expect((await call('PUT', `/mappingSets/${id}`, { ...adobeBody, version: 0 })).statusCode).toBe(200);
    const stale = await call('PUT', `/mappingSets/${id}`, { ...adobeBody, version: 0 });
    expect(stale.statusCode).toBe(412);
    expect((stale.json() as { type: string }).type).toContain('FLOW-1404-412');

    const otherId = await call('PUT', `/mappingSets/${id}`, {
      ...adobeBody,
      id: 'ffffffffffffffffffffffffffffffff',
    });
    expect(otherId.statusCode).toBe(400);
    expect((otherId.json() as { type: string }).type).toContain('FLOW-1410-400');

    const invalid = await call('PUT', `/mappingSets/${id}`, { ...adobeBody, version: 1, mappings: [] });
    expect(invalid.statusCode).toBe(400);
    expect((await call('GET', `/mappingSets/${id}`)).json()).toMatchObject({ version: 1 });
  });

  it('answers 404 for unknown and malformed ids, and has no DELETE', async () => {
    expect((await call('GET', '/mappingSets/0123456789abcdef0123456789abcdef')).statusCode).toBe(404);
    expect((await call('GET', '/mappingSets/not-an-id')).statusCode).toBe(404);
    expect((await call('PUT', '/mappingSets/0123456789abcdef0123456789abcdef', adobeBody)).statusCode).toBe(
      404,
    );
    const id = await create();
    const deleted = await call('DELETE', `/mappingSets/${id}`);
    expect(deleted.statusCode).toBe(404);
    expect((deleted.json() as { type: string }).type).toContain('FLOW-1409-404');
  });
});

describe('GET /mappingSets', () => {
  it('pages with limit/start, orders and filters by name', async () => {
    const ids: string[] = [];
    // Distinct creation times, so "newest first" has one right answer (ties are ordered by id).
    for (const name of ['list-a', 'list-b', 'list-c']) {
      ids.push(await create({ ...adobeBody, name }));
      await new Promise((resolve) => setTimeout(resolve, 3));
    }

    const first = await call('GET', '/mappingSets?limit=2&start=0&name=list-b');
    expect(first.json()).toMatchObject({
      data: [{ id: ids[1], name: 'list-b' }],
      _page: { count: 1, total: 1 },
      _links: {},
    });

    const all = (await call('GET', '/mappingSets?limit=1000')).json() as { _page: { total: number } };
    const total = all._page.total;
    expect(total).toBeGreaterThanOrEqual(3);

    const newest = (await call('GET', '/mappingSets?limit=2&start=0')).json() as {
      data: { id: string }[];
      _links: { next?: { href: string } };
    };
    expect(newest.data.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    expect(newest._links.next?.href).toBe('/mappingSets?limit=2&start=2');
    // A client that appends the next link to its own parameters sends limit twice: same value, same page.
    const appended = await call('GET', `${newest._links.next?.href ?? ''}&limit=2`);
    expect(appended.statusCode, appended.body).toBe(200);
    expect(appended.json()).toEqual((await call('GET', '/mappingSets?limit=2&start=2')).json());
    const different = await call('GET', '/mappingSets?limit=2&start=2&limit=3');
    expect(different.statusCode).toBe(400);
    expect((different.json() as { type: string }).type).toContain('FLOW-1401-400');

    const oldest = (
      await call('GET', `/mappingSets?limit=2&start=${total - 1}&orderBy=%2BcreatedDate`)
    ).json() as {
      data: { id: string }[];
      _links: Record<string, unknown>;
    };
    expect(oldest.data.map((s) => s.id)).toEqual([ids[2]]);
    expect(oldest._links).toEqual({});
  });

  it('rejects bad paging and ordering parameters', async () => {
    for (const query of [
      'limit=0',
      'limit=x',
      'start=-1',
      'orderBy=name',
      'expandSchema=maybe',
      'property=a==b',
    ]) {
      const response = await call('GET', `/mappingSets?${query}`);
      expect(response.statusCode, query).toBe(400);
    }
    expect((await call('GET', '/mappingSets?orderBy=-updatedDate&expandSchema=false')).statusCode).toBe(200);
  });
});

describe('tenancy and gateway', () => {
  it('hides a mapping set from another sandbox and another org', async () => {
    const id = await create({ ...adobeBody, name: 'tenant-private' });
    for (const headers of [otherSandbox, otherOrg]) {
      expect((await call('GET', `/mappingSets/${id}`, undefined, headers)).statusCode).toBe(404);
      expect((await call('GET', `/mappingSets/${id}?version=0`, undefined, headers)).statusCode).toBe(404);
      expect((await call('PUT', `/mappingSets/${id}`, adobeBody, headers)).statusCode).toBe(404);
      const list = (await call('GET', '/mappingSets?name=tenant-private', undefined, headers)).json() as {
        data: unknown[];
      };
      expect(list.data).toEqual([]);
    }
    expect((await call('GET', `/mappingSets/${id}`)).json()).toMatchObject({ version: 0 });
  });

  it('requires the gateway headers', async () => {
    const response = await call('GET', '/mappingSets', undefined, { authorization: '' });
    expect([401, 403]).toContain(response.statusCode);
    expect((response.json() as { type: string }).type).toContain('GATEWAY-');
  });
});
