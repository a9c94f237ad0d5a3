/**
 * The request edge in process (SQLite): NUL bytes, document limits on POST and after PATCH, charsets,
 * bad URL encodings, long ids, the static files' traversal, and answers that quote nothing they could
 * not parse. The raw-socket cases (431, bytes that are not HTTP) are in test/adversarial.integration.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, startTestSluice, type TestSluice } from '../../test/support/sluice.ts';

let t: TestSluice;
beforeAll(async () => {
  t = await startTestSluice({ env: { SLUICE_BODY_LIMIT_BYTES: String(2 * 1024 * 1024) } });
});
afterAll(async () => {
  await t.close();
});

const draftConnection = (overrides: Record<string, unknown> = {}) => ({
  name: 'edge',
  auth: {
    specName: 'Access Token Authentication',
    params: {
      domain: 'https://adb-1.1.azuredatabricks.net',
      clusterId: 'c',
      accessToken: 'dapi-x',
      database: 'd',
    },
  },
  connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
  ...overrides,
});

const codeOf = (body: string): string =>
  ((JSON.parse(body) as { type?: string }).type ?? '').split('/').at(-1) ?? '';

async function created(): Promise<{ id: string; etag: string }> {
  const response = await t.request('POST', '/connections?mode=draft', { body: draftConnection() });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; etag: string };
}

describe('NUL characters are refused at the edge', () => {
  it.each([
    [
      'a body string',
      () => t.request('POST', '/connections?mode=draft', { body: draftConnection({ name: 'a\u0000b' }) }),
    ],
    ['a body key', () => t.request('POST', '/connections?mode=draft', { raw: '{"na\\u0000me": "x"}' })],
    ['a query value', () => t.request('GET', '/connections?property=name==a%00b')],
    ['a query name', () => t.request('GET', '/connections?na%00me=1')],
    ['a path id', () => t.request('GET', '/data/foundation/catalog/batches/%00')],
  ])('in %s: FLOW-1480-400', async (_name, send) => {
    const response = await send();
    expect(response.statusCode, response.body).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(codeOf(response.body)).toBe('FLOW-1480-400');
  });

  it('in a patched value', async () => {
    const { id, etag } = await created();
    const response = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [{ op: 'replace', path: '/description', value: 'x\u0000' }],
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(codeOf(response.body)).toBe('FLOW-1480-400');
  });
});

describe('one set of limits for bodies and patched entities', () => {
  it('refuses a 900,000-character name by PATCH as POST does', async () => {
    const { id, etag } = await created();
    const long = 'n'.repeat(900_000);
    const post = await t.request('POST', '/connections?mode=draft', {
      body: draftConnection({ name: long }),
    });
    expect(post.statusCode).toBe(400);
    const patch = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [{ op: 'replace', path: '/name', value: long }],
    });
    expect(patch.statusCode, patch.body).toBe(400);
    expect(codeOf(patch.body)).toBe('FLOW-1481-400');
    expect(patch.body).not.toContain('nnnnnnnn');
    const stored = (await t.request('GET', `/connections/${id}`)).json() as { items: { name: string }[] };
    expect(stored.items[0]?.name).toBe('edge');
  });

  it('refuses a 257-character name by PATCH (the route schema limit)', async () => {
    const { id, etag } = await created();
    const patch = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [{ op: 'replace', path: '/name', value: 'n'.repeat(257) }],
    });
    expect(patch.statusCode).toBe(400);
    expect(codeOf(patch.body)).toBe('FLOW-1481-400');
  });

  it.each([
    [
      'connectionSpec.version',
      { connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: 'v'.repeat(900_000) } },
    ],
    [
      'a column meta',
      { params: { columns: [{ name: 'a', type: 'string', meta: { note: 'm'.repeat(900_000) } }] } },
    ],
  ])('refuses ~900 KB strings in %s', async (_name, extra) => {
    const response = await t.request('POST', '/connections?mode=draft', { body: draftConnection(extra) });
    expect(response.statusCode).toBe(400);
    expect(codeOf(response.body)).toBe('FLOW-1481-400');
  });

  it('refuses a 10,000-level object in params', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const response = await t.request('POST', '/connections?mode=draft', {
      raw: `{"name":"x","auth":{"specName":"s","params":${deep}},"connectionSpec":{"id":"x"}}`,
    });
    expect(response.statusCode).toBe(400);
    expect(codeOf(response.body)).toBe('FLOW-1482-400');
  });

  it('refuses a PATCH whose result outgrows the body limit', async () => {
    const { id, etag } = await created();
    const big = Array.from({ length: 300 }, () => 'x'.repeat(8000));
    const response = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [{ op: 'replace', path: '/description', value: big }],
    });
    // The array is refused whatever comes first: the body limit (2 MiB) or the patched entity's size.
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(['FLOW-1483-413', 'FLOW-1408-413']).toContain(codeOf(response.body));
  });
});

describe('content types', () => {
  it('refuses charset=utf-16 with a UTF-8 body as GATEWAY-400100-400', async () => {
    const response = await t.request('POST', '/connections?mode=draft', {
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: draftConnection(),
    });
    expect(response.statusCode).toBe(400);
    expect(codeOf(response.body)).toBe('GATEWAY-400100-400');
    expect(response.body).not.toContain('utf-16');
  });

  it.each(['application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json'])(
    'accepts %s',
    async (contentType) => {
      const response = await t.request('POST', '/connections?mode=draft', {
        headers: { 'content-type': contentType },
        body: draftConnection(),
      });
      expect(response.statusCode, response.body).toBe(201);
    },
  );

  it('does not echo an unknown content type', async () => {
    const response = await t.request('POST', '/connections?mode=draft', {
      headers: { 'content-type': 'text/evil-<script>' },
      raw: '{}',
    });
    expect(response.statusCode).toBe(400);
    expect(codeOf(response.body)).toBe('GATEWAY-400100-400');
    expect(response.body).not.toContain('evil');
  });
});

describe('URLs', () => {
  it('answers a bad percent-encoding with FLOW-1484-400, without echoing it', async () => {
    const response = await t.request('GET', '/connections/%ff%fe');
    expect(response.statusCode).toBe(400);
    expect(codeOf(response.body)).toBe('FLOW-1484-400');
    expect(response.body.toLowerCase()).not.toContain('%ff');
  });

  it.each([
    '/connections?limit=%ffECHOQ',
    '/connections?%feECHOQ=1',
    '/connections?property=name==%E0%A4ECHOQ',
    '/connections?limit=%%%ECHOQ',
  ])('answers a query that does not decode (%s) with FLOW-1484-400, without echoing it', async (path) => {
    const response = await t.request('GET', path);
    expect(response.statusCode).toBe(400);
    expect(codeOf(response.body)).toBe('FLOW-1484-400');
    expect(response.body).not.toContain('ECHOQ');
  });

  it('accepts a query with valid percent-encodings and plus signs', async () => {
    const response = await t.request('GET', '/connections?property=name%3D%3D%22a+b%C3%A9%22');
    expect(response.statusCode, response.body).toBe(200);
  });

  it('answers a 5,000-character id with FLOW-1485-414', async () => {
    const response = await t.request('GET', `/connections/${'a'.repeat(5000)}`);
    expect(response.statusCode).toBe(414);
    expect(codeOf(response.body)).toBe('FLOW-1485-414');
    expect(response.body).not.toContain('aaaaaaaa');
  });

  it('answers a URL over 8,192 characters with FLOW-1485-414', async () => {
    const response = await t.request('GET', `/connections?property=name==${'a'.repeat(9000)}`);
    expect(response.statusCode).toBe(414);
    expect(codeOf(response.body)).toBe('FLOW-1485-414');
  });

  it('does not echo an unknown path', async () => {
    const response = await t.request('GET', '/no-such-thing-<b>');
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('no-such-thing');
  });
});

describe('health endpoints', () => {
  it('/healthz and /readyz answer without credentials and reveal nothing', async () => {
    const alive = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(alive.statusCode).toBe(200);
    expect(alive.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', migrations: 'ok', queue: 'ok' } });
    expect(`${alive.body}${ready.body}`).not.toMatch(/\d+\.\d+\.\d+|sqlite|127\.0\.0\.1|\/tmp/);
  });

  it('are not under the Adobe paths and not in /openapi.json', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths).filter((path) => /healthz|readyz/.test(path))).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: `${BASE}/healthz` })).statusCode).toBe(404);
  });
});
