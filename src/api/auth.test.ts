import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSluice, type TestSluice } from '../../test/support/sluice.ts';

let t: TestSluice;
beforeAll(async () => {
  t = await startTestSluice();
});
afterAll(async () => {
  await t.close();
});

const problemOf = (response: { json: () => unknown }) =>
  response.json() as {
    type: string;
    status: number;
    errorMessage: string;
    error_code?: string;
    report: Record<string, unknown>;
  };

describe('gateway headers', () => {
  it('accepts a request with all four headers', async () => {
    const response = await t.request('GET', '/connectionSpecs');
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBeTruthy();
  });

  it.each([
    ['no Authorization', { authorization: undefined }, 403, 'GATEWAY-403010-403'],
    ['not a Bearer header', { authorization: 'Basic abc' }, 401, 'GATEWAY-401013-401'],
    [
      'an unknown token',
      { authorization: 'Bearer slt_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      401,
      'GATEWAY-401013-401',
    ],
    ['no x-api-key', { 'x-api-key': undefined }, 403, 'GATEWAY-403000-403'],
    ['a wrong x-api-key', { 'x-api-key': 'slk_000000000000_nope' }, 403, 'GATEWAY-403003-403'],
    ['no x-gw-ims-org-id', { 'x-gw-ims-org-id': undefined }, 400, 'GATEWAY-400003-400'],
    ['another org id', { 'x-gw-ims-org-id': 'AAAAAAAAAAAAAAAAAAAAAAAA@AdobeOrg' }, 403, 'GATEWAY-403025-403'],
    ['no x-sandbox-name', { 'x-sandbox-name': undefined }, 400, 'FLOW-2105-400'],
    ['an unknown sandbox', { 'x-sandbox-name': 'nowhere' }, 404, 'FLOW-2100-404'],
  ])('refuses %s', async (_name, headers, status, code) => {
    const response = await t.request('GET', '/connections', { headers });
    expect(response.statusCode).toBe(status);
    const problem = problemOf(response);
    expect(problem.type).toBe(`https://ns.adobe.com/aep/errors/${code}`);
    expect(problem.status).toBe(status);
    expect(problem.errorMessage.length).toBeGreaterThan(10);
    expect(problem.report['request-id']).toBe(response.headers['x-request-id']);
  });

  it('carries the gateway error_code for gateway errors', async () => {
    const problem = problemOf(
      await t.request('GET', '/connections', { headers: { authorization: undefined } }),
    );
    expect(problem.error_code).toBe('403010');
  });

  it('refuses revoked and expired tokens', async () => {
    const { token, value } = await t.sluice.identity.createToken(t.credentials.org.id);
    expect(
      (await t.request('GET', '/connections', { headers: { authorization: `Bearer ${value}` } })).statusCode,
    ).toBe(200);
    await t.sluice.identity.revokeToken(token.id);
    const revoked = await t.request('GET', '/connections', { headers: { authorization: `Bearer ${value}` } });
    expect(revoked.statusCode).toBe(401);
    expect(problemOf(revoked).errorMessage).toContain('revoked');
    const expired = await t.sluice.identity.createToken(t.credentials.org.id, { expiresInDays: -1 });
    const response = await t.request('GET', '/connections', {
      headers: { authorization: `Bearer ${expired.value}` },
    });
    expect(problemOf(response).errorMessage).toContain('expired');
  });

  it('refuses a token whose secret part is altered', async () => {
    const forged =
      t.credentials.accessToken.slice(0, -2) + (t.credentials.accessToken.endsWith('AA') ? 'BB' : 'AA');
    expect(
      (await t.request('GET', '/connections', { headers: { authorization: `Bearer ${forged}` } })).statusCode,
    ).toBe(401);
  });

  it('lets a read-only token read but not write', async () => {
    const { value } = await t.sluice.identity.createToken(t.credentials.org.id, { readOnly: true });
    const headers = { authorization: `Bearer ${value}` };
    expect((await t.request('GET', '/connections', { headers })).statusCode).toBe(200);
    const write = await t.request('POST', '/connections', { headers, body: { name: 'x' } });
    expect(write.statusCode).toBe(403);
    expect(problemOf(write).type).toContain('FLOW-2118-403');
  });

  it('refuses an API key of another org', async () => {
    const other = await t.sluice.identity.createOrg('Other');
    const response = await t.request('GET', '/connections', { headers: { 'x-api-key': other.apiKey } });
    expect(response.statusCode).toBe(403);
    expect(problemOf(response).type).toContain('GATEWAY-403003-403');
  });

  it('requires a JSON content type on bodies', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/data/foundation/flowservice/connections',
      headers: { ...t.headers(), 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(400);
    expect(problemOf(response).type).toContain('GATEWAY-400100-400');
  });

  it('serves OpenAPI and the docs page without credentials', async () => {
    const openapi = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(openapi.statusCode).toBe(200);
    const document = openapi.json() as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toContain('/data/foundation/flowservice/connections/{id}');
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger-ui');
    expect(docs.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const bundle = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });
});
