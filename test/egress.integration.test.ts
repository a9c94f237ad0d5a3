/**
 * The egress policy over HTTP: in production mode a connection to a loopback or private address is a
 * clear 400 naming the setting that allows it, and SLUICE_EGRESS_ALLOW lets a named host through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabricksEmulator, type DatabricksEmulator } from '../emulators/databricks/index.ts';
import { azuriteConnectionString } from './support/azurite.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

let emulator: DatabricksEmulator;
beforeAll(async () => {
  emulator = await startDatabricksEmulator();
});
afterAll(async () => {
  await emulator.stop();
});

const databricks = () => ({
  name: 'Databricks',
  auth: {
    specName: 'Access Token Authentication',
    params: {
      domain: emulator.url,
      clusterId: emulator.clusterId,
      accessToken: emulator.token,
      database: 'acme',
    },
  },
  connectionSpec: { id: 'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b', version: '1.0' },
});
const ats = {
  name: 'ATS',
  auth: { specName: 'Connection String Based Authentication', params: { connectionString: '' } },
  connectionSpec: { id: 'ecde33f2-c56f-46cc-bdea-ad151c16cd69', version: '1.0' },
};

describe('in production mode', () => {
  let t: TestSluice;
  beforeAll(async () => {
    t = await startTestSluice({ env: { SLUICE_MODE: 'production', SLUICE_EXTRA_CA_CERTS: emulator.caFile } });
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    ['Databricks on loopback', () => databricks()],
    [
      'Azure Table Storage on loopback',
      () => ({ ...ats, auth: { ...ats.auth, params: { connectionString: azuriteConnectionString() } } }),
    ],
    [
      'the cloud metadata address',
      () => ({
        ...databricks(),
        auth: {
          ...databricks().auth,
          params: { ...databricks().auth.params, domain: 'https://169.254.169.254' },
        },
      }),
    ],
  ])('refuses %s with CONNECTOR-1309-400', async (_name, body) => {
    const response = await t.request('POST', '/connections', { body: body() });
    expect(response.statusCode, response.body).toBe(400);
    const problem = response.json() as { type: string; errorMessage: string; report: { stage: string } };
    expect(problem.type).toContain('CONNECTOR-1309-400');
    expect(problem.errorMessage).toContain('SLUICE_EGRESS_ALLOW');
    expect(problem.report.stage).toBe('reach');
  });
});

describe('with an allow-list entry', () => {
  it('lets the named host through in production mode', async () => {
    const t = await startTestSluice({
      env: {
        SLUICE_MODE: 'production',
        SLUICE_EGRESS_ALLOW: '127.0.0.1',
        SLUICE_EXTRA_CA_CERTS: emulator.caFile,
      },
    });
    try {
      const response = await t.request('POST', '/connections', { body: databricks() });
      expect(response.statusCode, response.body).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('an explicit deny wins in development mode too', async () => {
    const t = await startTestSluice({
      env: { SLUICE_EGRESS_DENY: '127.0.0.0/8', SLUICE_EXTRA_CA_CERTS: emulator.caFile },
    });
    try {
      const response = await t.request('POST', '/connections', { body: databricks() });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('CONNECTOR-1309-400');
    } finally {
      await t.close();
    }
  });
});
