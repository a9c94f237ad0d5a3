/**
 * Base connections over HTTP against the Databricks workspace emulator: the seed tutorial's request,
 * masking, listing, JSON Patch with If-Match, live re-verification, drafts, and deletion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../../../emulators/databricks/index.ts';
import { startTestSluice, type TestSluice } from '../../../../test/support/sluice.ts';

const DATABRICKS = 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b';

let emulator: DatabricksEmulator;
let t: TestSluice;

beforeAll(async () => {
  emulator = await startDatabricksEmulator();
  t = await startTestSluice({ env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile } });
});
afterAll(async () => {
  await t.close();
  await emulator.stop();
});

/** The body of the Databricks tutorial's curl, with the emulator's values filled in. */
const seedBody = (params: Record<string, string> = {}) => ({
  name: 'Databricks connection to Experience Platform',
  description: 'A Databricks base connection to Experience Platform',
  auth: {
    specName: 'Access Token Authentication',
    params: {
      domain: emulator.url,
      clusterId: emulator.clusterId,
      accessToken: emulator.token,
      database: 'acme',
      ...params,
    },
  },
  connectionSpec: { id: DATABRICKS, version: '1.0' },
});

type Problem = {
  type: string;
  errorMessage: string;
  report: { stage?: string; stages?: { name: string; status: string }[] };
};

async function create(params: Record<string, string> = {}): Promise<{ id: string; etag: string }> {
  const response = await t.request('POST', '/connections', { body: seedBody(params) });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('POST /connections (Databricks)', () => {
  it('creates a verified connection from the tutorial body and masks the token', async () => {
    const created = await create();
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.etag).toMatch(/^"[0-9a-f]{8}-0000-0200-0000-[0-9a-f]{12}"$/);
    const response = await t.request('GET', `/connections/${created.id}`);
    expect(response.statusCode).toBe(200);
    const [item] = (
      response.json() as { items: { auth: { params: Record<string, string> }; createdAt: unknown }[] }
    ).items;
    expect(item).toMatchObject({
      id: created.id,
      name: 'Databricks connection to Experience Platform',
      state: 'enabled',
      etag: created.etag,
      version: created.etag,
      connectionSpec: { id: DATABRICKS, version: '1.0' },
      imsOrgId: t.credentials.org.id,
      sandboxName: 'prod',
      sandboxId: t.credentials.sandbox.id,
      createdClient: 'sluice',
    });
    expect(item!.auth.params).toEqual({
      domain: emulator.url,
      clusterId: emulator.clusterId,
      accessToken: '********',
      database: 'acme',
    });
    expect(typeof item!.createdAt).toBe('number');
    expect(response.body).not.toContain(emulator.token);
  });

  it.each([
    ['a wrong token', { accessToken: 'dapi-wrong' }, 'authenticate', /token/i],
    [
      'an unknown cluster',
      { clusterId: '9999-000000-nothere' },
      'cluster',
      /does not exist|not found|unknown/i,
    ],
    ['a terminated cluster', { clusterId: '0123-456789-stopped' }, 'cluster', /must be running/i],
    ['a job cluster', { clusterId: '0123-456789-job' }, 'cluster', /job/i],
    ['an unknown database', { database: 'nope' }, 'database', /nope/],
    ['an unreachable domain', { domain: 'https://127.0.0.1:9' }, 'reach', /reach|refused|connect/i],
    ['an http domain', { domain: 'http://127.0.0.1:9' }, 'parse', /https/i],
  ])('refuses %s with a 400 naming the stage', async (_name, params, stage, message) => {
    const started = Date.now();
    const response = await t.request('POST', '/connections', { body: seedBody(params) });
    expect(response.statusCode, response.body).toBe(400);
    const problem = response.json() as Problem;
    expect(problem.type).toContain('CONNECTOR-1308-400');
    expect(problem.report.stage).toBe(stage);
    expect(problem.errorMessage).toMatch(message);
    expect(response.body).not.toContain(emulator.token);
    expect(response.body).not.toContain('dapi-wrong');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('validates the body against the auth spec with one message per field', async () => {
    const body = seedBody();
    const { accessToken: _token, ...withoutToken } = body.auth.params;
    const missing = await t.request('POST', '/connections', {
      body: { ...body, auth: { ...body.auth, params: withoutToken } },
    });
    expect(missing.statusCode).toBe(400);
    expect((missing.json() as Problem).type).toContain('CONNECTOR-1304-400');
    expect((missing.json() as Problem).errorMessage).toContain('auth.params.accessToken');

    const wrongSpec = await t.request('POST', '/connections', {
      body: { ...body, connectionSpec: { id: '00000000-0000-0000-0000-000000000000' } },
    });
    expect((wrongSpec.json() as Problem).type).toContain('FLOW-1413-400');

    const wrongAuth = await t.request('POST', '/connections', {
      body: { ...body, auth: { ...body.auth, specName: 'Basic' } },
    });
    expect((wrongAuth.json() as Problem).type).toContain('FLOW-1415-400');
    expect((wrongAuth.json() as Problem).errorMessage).toContain('Access Token Authentication');

    const typed = await t.request('POST', '/connections', {
      body: { ...body, auth: { ...body.auth, params: { ...body.auth.params, database: 42 } } },
    });
    expect((typed.json() as Problem).type).toContain('CONNECTOR-1312-400');
    expect((typed.json() as Problem).errorMessage).toContain('auth.params.database');

    const owned = await t.request('POST', '/connections', { body: { ...body, state: 'enabled' } });
    expect((owned.json() as Problem).type).toContain('FLOW-1410-400');
  });

  it('stores a draft without verifying, and verifies on publish', async () => {
    const response = await t.request('POST', '/connections?mode=draft', {
      body: seedBody({ clusterId: '0123-456789-stopped' }),
    });
    expect(response.statusCode).toBe(201);
    const { id, etag } = response.json() as { id: string; etag: string };
    const draft = (await t.request('GET', `/connections/${id}`)).json() as { items: { state: string }[] };
    expect(draft.items[0]!.state).toBe('draft');
    const refused = await t.request('POST', `/connections/${id}/action?op=publish`);
    expect(refused.statusCode).toBe(400);
    expect((refused.json() as Problem).report.stage).toBe('cluster');
    const fixed = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [{ op: 'replace', path: '/auth/params/clusterId', value: emulator.clusterId }],
    });
    expect(fixed.statusCode, fixed.body).toBe(200);
    const published = await t.request('POST', `/connections/${id}/action?op=publish`);
    expect(published.statusCode, published.body).toBe(200);
    const enabled = (await t.request('GET', `/connections/${id}`)).json() as { items: { state: string }[] };
    expect(enabled.items[0]!.state).toBe('enabled');
    const again = await t.request('POST', `/connections/${id}/action?op=publish`);
    expect((again.json() as Problem).type).toContain('FLOW-1416-400');
    const bad = await t.request('POST', `/connections/${id}/action?op=explode`);
    expect((bad.json() as Problem).type).toContain('FLOW-1421-400');
  });
});

describe('PATCH /connections/{id}', () => {
  it('requires If-Match, refuses stale etags and returns a new etag', async () => {
    const { id, etag } = await create();
    const rename = [{ op: 'replace', path: '/name', value: 'Renamed' }];
    const missing = await t.request('PATCH', `/connections/${id}`, { body: rename });
    expect(missing.statusCode).toBe(400);
    expect((missing.json() as Problem).type).toContain('FLOW-1403-400');

    const ok = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: rename,
    });
    expect(ok.statusCode).toBe(200);
    const next = ok.json() as { id: string; etag: string };
    expect(next.id).toBe(id);
    expect(next.etag).not.toBe(etag);

    const stale = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: rename,
    });
    expect(stale.statusCode).toBe(412);
    expect((stale.json() as Problem).type).toContain('FLOW-1404-412');

    const item = (
      (await t.request('GET', `/connections/${id}`)).json() as {
        items: { name: string; updatedAt: number; createdAt: number }[];
      }
    ).items[0]!;
    expect(item.name).toBe('Renamed');
    expect(item.updatedAt).toBeGreaterThanOrEqual(item.createdAt);
  });

  it('refuses immutable paths, unsupported ops and missing fields with their own codes', async () => {
    const { id, etag } = await create();
    const cases: [unknown, string][] = [
      [[{ op: 'replace', path: '/connectionSpec/id', value: 'x' }], 'FLOW-1414-400'],
      [[{ op: 'move', from: '/name', path: '/description' }], 'FLOW-1434-400'],
      [[{ op: 'replace', path: '/createdBy', value: 'me' }], 'FLOW-1365-400'],
      [[{ op: 'remove', path: '/auth/params/nothere' }], 'FLOW-1455-400'],
      [[], 'FLOW-1405-400'],
      [{ op: 'replace' }, 'FLOW-1435-400'],
      [[{ op: 'replace', path: '/name' }], 'FLOW-1435-400'],
      [[{ op: 'remove', path: '/auth/params/accessToken' }], 'CONNECTOR-1304-400'],
    ];
    for (const [body, code] of cases) {
      const response = await t.request('PATCH', `/connections/${id}`, {
        headers: { 'if-match': etag },
        body,
      });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect((response.json() as Problem).type, JSON.stringify(body)).toContain(code);
    }
  });

  it('re-verifies replaced auth params and keeps the old ones when verification fails', async () => {
    const { id, etag } = await create();
    const replaced = await t.request('PATCH', `/connections/${id}`, {
      headers: { 'if-match': etag },
      body: [
        {
          op: 'replace',
          path: '/auth/params',
          value: {
            domain: emulator.url,
            clusterId: emulator.clusterId,
            accessToken: 'dapi-bad',
            database: 'acme',
          },
        },
      ],
    });
    expect(replaced.statusCode).toBe(400);
    expect((replaced.json() as Problem).report.stage).toBe('authenticate');
    const test = await t.request('GET', `/connections/${id}/test`);
    expect((test.json() as { result: boolean }).result).toBe(true);
  });
});

describe('GET /connections/{id}/test', () => {
  it('reports each stage, and a failing cluster stage after the cluster stops', async () => {
    const { id } = await create();
    const ok = (await t.request('GET', `/connections/${id}/test`)).json() as {
      result: boolean;
      stages: { name: string; status: string; durationMs: number }[];
    };
    expect(ok.result).toBe(true);
    expect(ok.stages.map((stage) => stage.name)).toEqual([
      'parse',
      'reach',
      'authenticate',
      'cluster',
      'database',
    ]);
    expect(ok.stages.every((stage) => stage.status === 'passed' && stage.durationMs >= 0)).toBe(true);

    emulator.setClusterState(emulator.clusterId, 'TERMINATED');
    try {
      const stopped = await t.request('GET', `/connections/${id}/test`);
      expect(stopped.statusCode).toBe(200);
      const body = stopped.json() as {
        result: boolean;
        stages: { name: string; status: string; message?: string }[];
      };
      expect(body.result).toBe(false);
      const cluster = body.stages.find((stage) => stage.name === 'cluster');
      expect(cluster?.status).toBe('failed');
      expect(cluster?.message).toMatch(/running/i);
      expect(body.stages.find((stage) => stage.name === 'database')?.status).toBe('skipped');
    } finally {
      emulator.setClusterState(emulator.clusterId, 'RUNNING');
    }
  });
});

describe('DELETE /connections/{id}', () => {
  it('deletes and then answers 404', async () => {
    const { id } = await create();
    expect((await t.request('DELETE', `/connections/${id}`)).statusCode).toBe(204);
    const gone = await t.request('GET', `/connections/${id}`);
    expect(gone.statusCode).toBe(404);
    expect((gone.json() as Problem).type).toContain('FLOW-1439-404');
    expect((await t.request('DELETE', `/connections/${id}`)).statusCode).toBe(404);
  });

  it('answers 404 for ids that are not UUIDs', async () => {
    expect((await t.request('GET', '/connections/not-a-uuid')).statusCode).toBe(404);
  });
});
