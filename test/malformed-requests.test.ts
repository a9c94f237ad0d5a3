/**
 * Bad input never breaks the server: several hundred generated malformed requests (seeded, so a failure
 * reproduces) must each get a 4xx problem JSON with a catalogued code — never a 5xx or a stack trace.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorCodes } from '../src/domain/error-catalog.ts';
import { BASE, startTestSluice, type TestSluice } from './support/sluice.ts';

let t: TestSluice;
let id: string;

beforeAll(async () => {
  // Bad tokens are part of the mix: the failed-authentication limit is raised so they keep being checked.
  t = await startTestSluice({
    env: { SLUICE_BODY_LIMIT_BYTES: '65536', SLUICE_AUTH_FAILURE_LIMIT: '100000' },
  });
  const created = await t.request('POST', '/connections?mode=draft', {
    body: {
      name: 'fuzz target',
      auth: {
        specName: 'Access Token Authentication',
        params: {
          domain: 'https://adb-1.1.azuredatabricks.net',
          clusterId: 'c',
          accessToken: 'dapi-x',
          database: 'd',
        },
      },
      connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b' },
    },
  });
  id = (created.json() as { id: string }).id;
});
afterAll(async () => {
  await t.close();
});

/** mulberry32: a tiny seeded PRNG. */
function rng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

it('answers every malformed request with a catalogued 4xx', { timeout: 60_000 }, async () => {
  const random = rng(Number(process.env['SLUICE_TEST_FUZZ_SEED'] ?? 20261122));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const junk = (): string => {
    const alphabet = 'aZ09-_.~!*\'();:@&=+$,/?#[]%" <>{}|\\^`\u00e9\u4e2d\u0000';
    return Array.from({ length: 1 + Math.floor(random() * 24) }, () => pick(Array.from(alphabet))).join('');
  };
  const jsonValues = (): unknown =>
    pick<() => unknown>([
      () => null,
      () => 42,
      () => 'text',
      () => [],
      () => [1, 2],
      () => ({}),
      () => ({ name: 42 }),
      () => ({ name: '', auth: {}, connectionSpec: {} }),
      () => ({
        name: 'n',
        auth: { specName: 'Access Token Authentication', params: 'x' },
        connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b' },
      }),
      () => ({
        name: 'n',
        auth: { specName: 'Access Token Authentication', params: { domain: junk() } },
        connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b' },
      }),
      () => ({ name: 'n', auth: { specName: junk(), params: {} }, connectionSpec: { id: junk() } }),
      () => [{ op: junk(), path: junk(), value: 1 }],
      () => [{ op: 'replace', path: '/auth/params/domain', value: { nested: [1] } }],
      () => [{ op: 'add', path: '/name/deeper', value: 'x' }],
      () => [{ op: 'remove', path: '/' }],
      () => [{ op: 'replace', path: '', value: null }],
      () => JSON.parse('{"__proto__": {"polluted": true}, "name": "x"}') as unknown,
      () => ({ deep: Array.from({ length: 200 }).reduce<unknown>((inner) => ({ inner }), {}) }),
      () => ({ flowId: junk(), params: { windowStartTime: junk(), windowEndTime: -1 } }),
      () => ({ flowId: id, params: { windowStartTime: '2', windowEndTime: '1' } }),
      () => ({
        name: junk(),
        schema: {
          fields: [
            { name: 'a', type: 'object' },
            { name: 'a', type: 'nope' },
          ],
        },
      }),
      () => ({ name: 'x', schema: 'fields' }),
      () => ({ xdmSchema: junk(), mappings: [{}, { sourceAttribute: 1 }, null] }),
      () => ({ name: 'f', flowSpec: { id: junk() }, sourceConnectionIds: 'x', targetConnectionIds: [null] }),
      () => ({
        name: 'f',
        flowSpec: { id: '14518937-270c-4525-bdec-c2ba7cce3860' },
        sourceConnectionIds: [id],
        targetConnectionIds: [id],
        scheduleParams: { startTime: junk(), frequency: junk(), interval: [] },
      }),
      () => ({
        name: 's',
        baseConnectionId: id,
        params: { tableName: junk(), columns: [{ name: 1 }] },
        connectionSpec: { id: junk() },
      }),
      () => ({
        name: 't',
        params: { dataSetId: junk() },
        connectionSpec: { id: 'c604ff05-7f1a-43c0-8e18-33bf874cb11c' },
      }),
    ])();
  const rawBodies = [
    '{',
    '{"name":',
    '[1,2',
    'nul',
    '"unterminated',
    '{"a":1}}',
    '\u0000',
    'x'.repeat(70_000),
    '{"name": "x", }',
  ];
  const queries = () =>
    pick([
      `limit=${pick(['-1', '0', '1.5', 'abc', '99999999999999999999', ''])}`,
      `orderby=${encodeURIComponent(pick(['*name', '--name', 'secret', 'name;drop', junk()]))}`,
      `property=${encodeURIComponent(pick(['name', 'name=', 'name==', 'x==1', 'name~a', 'createdAt>1,2', junk()]))}`,
      `continuationToken=${encodeURIComponent(pick(['abc', 'a.b', 'a.b.c', junk(), Buffer.from('{"v":1}').toString('base64url') + '.AAAA']))}`,
      `count=${pick(['yes', '1', 'TRUE1'])}`,
      `count=true&limit=5`,
      `${encodeURIComponent(junk())}=1`,
      `mode=${encodeURIComponent(pick(['DRAFTS', 'live', junk()]))}`,
      `objectType=${encodeURIComponent(pick(['folder', 'FILE', '', junk()]))}`,
      `objectType=table&preview=${pick(['maybe', '2'])}`,
      `objectType=table&object=t&preview=true&count=${pick(['0', '101', 'ten'])}`,
      `objectType=table&object=t&preview=true&filters=${encodeURIComponent(pick(['!!!', 'e30', Buffer.from('{"type":"PQL"}').toString('base64'), junk()]))}`,
      `op=${encodeURIComponent(junk())}`,
    ]);
  // Mostly real routes with their own methods (so validation, not routing, is exercised); some junk.
  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';
  const routes = (): [Method[], string] =>
    pick<[Method[], string]>([
      [['GET', 'POST'], '/connections'],
      [['GET', 'PATCH'], `/connections/${id}`],
      [['GET', 'PATCH', 'DELETE'], `/connections/${encodeURIComponent(junk())}`],
      [['GET'], `/connections/${id}/test`],
      [['GET'], `/connections/${id}/explore`],
      [['POST'], `/connections/${id}/action`],
      [['GET'], '/connectionSpecs'],
      [['GET'], `/connectionSpecs/${encodeURIComponent(junk())}`],
      [['GET', 'PUT', 'POST'], `/${encodeURIComponent(junk())}`],
      [['GET', 'POST'], '/sourceConnections'],
      [['GET', 'PATCH', 'DELETE'], `/sourceConnections/${encodeURIComponent(junk())}`],
      [['GET', 'POST'], '/targetConnections'],
      [['GET', 'POST'], '/flows'],
      [['GET', 'PATCH', 'DELETE'], `/flows/${encodeURIComponent(junk())}`],
      [['POST'], `/flows/${encodeURIComponent(junk())}/action`],
      [['GET'], '/flowSpecs'],
      [['GET', 'POST'], '/runs'],
      [['GET'], `/runs/${encodeURIComponent(junk())}`],
      [['POST'], `/runs/${encodeURIComponent(junk())}/action`],
      [['GET', 'POST'], '/data/foundation/catalog/dataSets'],
      [['GET', 'DELETE'], `/data/foundation/catalog/dataSets/${encodeURIComponent(junk())}`],
      [['GET'], `/data/foundation/catalog/dataSets/${encodeURIComponent(junk())}/preview`],
      [['GET', 'POST'], '/data/foundation/conversion/mappingSets'],
      [['GET', 'PUT'], `/data/foundation/conversion/mappingSets/${encodeURIComponent(junk())}`],
    ]);

  const seen = new Map<number, number>();
  const codes = new Set<string>(errorCodes);
  for (let index = 0; index < 600; index += 1) {
    const [methods, path] = routes();
    const method = random() < 0.9 ? pick(methods) : pick<Method>(['GET', 'POST', 'PATCH', 'DELETE', 'PUT']);
    if (method === 'DELETE' && path.endsWith(id)) continue;
    const headers: Record<string, string> = { ...t.headers(), 'if-match': pick(['"x"', 'nope', '']) };
    if (random() < 0.15)
      delete headers[pick(['authorization', 'x-api-key', 'x-gw-ims-org-id', 'x-sandbox-name'])];
    if (random() < 0.05) headers['authorization'] = `Bearer ${junk()}`;
    let payload: string | undefined;
    if (method !== 'GET' && method !== 'DELETE') {
      payload = random() < 0.3 ? pick(rawBodies) : JSON.stringify(jsonValues());
      headers['content-type'] =
        random() < 0.9
          ? 'application/json'
          : pick(['text/plain', 'application/xml', 'application/json; charset=latin1']);
    }
    const url = `${path.startsWith('/data/') ? '' : BASE}${path}${random() < 0.7 ? `?${queries()}` : ''}`;
    const response = await t.app.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
    seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
    const context = `${method} ${url} → ${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, context).toBeGreaterThanOrEqual(200);
    expect(response.statusCode, context).toBeLessThan(500);
    if (response.statusCode >= 400) {
      const problem = response.json() as { type?: string; errorMessage?: string };
      const code = problem.type?.split('/').at(-1) ?? '';
      expect(codes.has(code), context).toBe(true);
      expect(problem.errorMessage, context).not.toMatch(/\n\s+at |node_modules|TypeError|ReferenceError/);
    }
  }
  // The generator must really have exercised the error paths.
  expect([...seen.keys()].filter((status) => status >= 400).length).toBeGreaterThan(3);
  expect((await t.request('GET', '/connections')).statusCode).toBe(200);
  expect(JSON.stringify({}.constructor.prototype)).not.toContain('polluted');
});
