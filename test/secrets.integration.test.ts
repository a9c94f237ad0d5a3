/**
 * Secrets are secret: across create, failed verification, get, list, patch, test and explore, no secret
 * value appears in any response body or any log line, and the store holds them only encrypted.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from '../emulators/databricks/index.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let emulator: DatabricksEmulator;
let t: TestSluice;
const goodToken = `dapi-${randomBytes(12).toString('hex')}`;
const rotatedToken = `dapi-${randomBytes(12).toString('hex')}`;
const wrongToken = `dapi-${randomBytes(12).toString('hex')}`;
const secrets = [goodToken, rotatedToken, wrongToken];
const bodies: string[] = [];

beforeAll(async () => {
  emulator = await startDatabricksEmulator();
  emulator.addToken(goodToken);
  emulator.addToken(rotatedToken);
  t = await startTestSluice({ env: { SLUICE_EXTRA_CA_CERTS: emulator.caFile } });
});
afterAll(async () => {
  await t.close();
  await emulator.stop();
});

const params = (accessToken: string) => ({
  domain: emulator.url,
  clusterId: emulator.clusterId,
  accessToken,
  database: 'acme',
});

async function call(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await t.request(method, path, options);
  bodies.push(
    `${response.statusCode} ${method} ${path} ${response.body} ${JSON.stringify(response.headers)}`,
  );
  return response;
}

it('never returns or logs a secret, and stores it encrypted', async () => {
  const body = {
    name: 'secret test',
    auth: { specName: 'Access Token Authentication', params: params(goodToken) },
    connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
  };
  const created = await call('POST', '/connections', { body });
  expect(created.statusCode).toBe(201);
  const { id, etag } = created.json() as { id: string; etag: string };

  expect(
    (
      await call('POST', '/connections', {
        body: { ...body, auth: { ...body.auth, params: params(wrongToken) } },
      })
    ).statusCode,
  ).toBe(400);
  expect((await call('GET', `/connections/${id}`)).statusCode).toBe(200);
  expect((await call('GET', '/connections')).statusCode).toBe(200);
  expect((await call('GET', `/connections/${id}/test`)).statusCode).toBe(200);
  expect((await call('GET', `/connections/${id}/explore?objectType=root`)).statusCode).toBe(200);
  const failedPatch = await call('PATCH', `/connections/${id}`, {
    headers: { 'if-match': etag },
    body: [{ op: 'replace', path: '/auth/params', value: params(wrongToken) }],
  });
  expect(failedPatch.statusCode).toBe(400);
  const patched = await call('PATCH', `/connections/${id}`, {
    headers: { 'if-match': etag },
    body: [{ op: 'replace', path: '/auth/params/accessToken', value: rotatedToken }],
  });
  expect(patched.statusCode).toBe(200);
  expect((await call('GET', `/connections/${id}`)).statusCode).toBe(200);
  // Malformed JSON that contains a secret must not be echoed by the parser error.
  const malformed = await t.request('POST', '/connections', {
    raw: `{"auth":{"params":{"accessToken":"${goodToken}"`,
  });
  bodies.push(malformed.body);
  expect(malformed.statusCode).toBe(400);
  emulator.revokeToken(rotatedToken);
  expect((await call('GET', `/connections/${id}/test`)).statusCode).toBe(200);
  expect((await call('GET', `/connections/${id}/explore?objectType=root`)).statusCode).toBe(502);

  const everything = bodies.join('\n');
  const logs = t.logs.join('\n');
  expect(t.logs.length).toBeGreaterThan(10);
  for (const secret of secrets) {
    expect(everything).not.toContain(secret);
    expect(logs).not.toContain(secret);
  }
  expect(everything).toContain('********');

  const rows = await t.sluice.store.db.selectFrom('connections').select('body').execute();
  const stored = rows.map((row) => row.body).join('\n');
  expect(stored).toContain('$sealed');
  for (const secret of secrets) expect(stored).not.toContain(secret);
});
