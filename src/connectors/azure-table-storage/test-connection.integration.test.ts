import { createServer, type Server } from 'node:net';
import { generateAccountSas, generateTableSas } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, azuriteEndpoint, uniqueTableName } from '../../../test/support/azurite.ts';
import { AppError } from '../../domain/errors.ts';
import { createEgressPolicy } from '../egress.ts';
import type { TestOutcome } from '../connector.ts';
import { azureTableStorage } from './index.ts';
import { AZURITE_KEY, keyCredential, sasConnectionString, seedTable, testContext } from './test-fixture.ts';

const connector = azureTableStorage.create({ schemaSampleSize: 1_000 });
const table = uniqueTableName('conn');
const inOneHour = () => new Date(Date.now() + 3_600_000);

const test = (connectionString: string, ctx = testContext()) => connector.test({ connectionString }, ctx);

function summary(outcome: TestOutcome): string {
  return outcome.stages.map((s) => `${s.name}:${s.status}`).join(' ');
}

/** Secrets that must never show in any outcome. */
function expectNoSecret(outcome: TestOutcome, ...secrets: string[]): void {
  const text = JSON.stringify(outcome);
  for (const secret of [AZURITE_KEY, ...secrets]) expect(text).not.toContain(secret.slice(0, 16));
}

const sigOf = (sas: string): string => decodeURIComponent(/sig=([^&]+)/.exec(sas)?.[1] ?? 'no-sig');

beforeAll(async () => {
  await seedTable(azuriteEndpoint(), table, [{ partitionKey: 'p', rowKey: '1', v: 1 }]);
});

describe('connection test', () => {
  it('passes every stage with a good account key', async () => {
    const outcome = await test(azuriteConnectionString());
    expect(outcome.ok).toBe(true);
    expect(summary(outcome)).toBe('parse:passed reach:passed authenticate:passed authorize:passed');
    expect(outcome.failure).toBeUndefined();
    expect(outcome.stages[3]?.message).toMatch(/May list tables and read entities/);
    expectNoSecret(outcome);
  });

  it('fails parse for malformed strings, saying what is wrong', async () => {
    const outcome = await test(`AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY.slice(0, 50)}%%`);
    expect(outcome.ok).toBe(false);
    expect(summary(outcome)).toBe('parse:failed reach:skipped authenticate:skipped authorize:skipped');
    expect(outcome.failure).toMatchObject({ stage: 'parse', code: 'CONNECTOR-1308-400' });
    expect(outcome.failure?.message).toMatch(/AccountKey is not valid base64/);
    expectNoSecret(outcome);
    expect((await test('hello')).failure?.message).toMatch(/not of the form Key=Value/);
  });

  it('fails authenticate for a wrong account key', async () => {
    const wrongKey = Buffer.alloc(64, 9).toString('base64');
    const outcome = await test(azuriteConnectionString(wrongKey));
    expect(summary(outcome)).toBe('parse:passed reach:passed authenticate:failed authorize:skipped');
    expect(outcome.failure).toMatchObject({ stage: 'authenticate', code: 'CONNECTOR-1308-400' });
    expect(outcome.failure?.message).toMatch(/rejected the account key for account "devstoreaccount1"/);
    expectNoSecret(outcome, wrongKey);
  });

  it('fails authenticate for an expired SAS, from its se= field', async () => {
    const sas = generateAccountSas(keyCredential(), {
      expiresOn: new Date(Date.now() - 60_000),
      permissions: { query: true, list: true },
      resourceTypes: 'sco',
      services: { table: true },
    });
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(outcome.failure?.stage).toBe('authenticate');
    expect(outcome.failure?.message).toMatch(
      /expired at .*se= field, checked by Sluice before calling Azure/,
    );
    expectNoSecret(outcome, sigOf(sas));
  });

  it('fails authenticate for a SAS with a forged signature', async () => {
    const sas = generateAccountSas(keyCredential(), {
      expiresOn: inOneHour(),
      permissions: { query: true, list: true },
      resourceTypes: 'sco',
    }).replace(/sig=[^&]+/, `sig=${encodeURIComponent(Buffer.alloc(32, 1).toString('base64'))}`);
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(outcome.failure?.stage).toBe('authenticate');
    expect(outcome.failure?.message).toMatch(/rejected the shared access signature/);
  });

  it('passes with an account SAS that may list and read', async () => {
    const sas = generateAccountSas(keyCredential(), {
      expiresOn: inOneHour(),
      permissions: { query: true, list: true },
      resourceTypes: 'sco',
    });
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(summary(outcome)).toBe('parse:passed reach:passed authenticate:passed authorize:passed');
    expectNoSecret(outcome, sigOf(sas));
  });

  it('fails authorize for a SAS without list permission', async () => {
    const sas = generateAccountSas(keyCredential(), {
      expiresOn: inOneHour(),
      permissions: { query: true },
      resourceTypes: 'sco',
    });
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(summary(outcome)).toBe('parse:passed reach:passed authenticate:passed authorize:failed');
    expect(outcome.stages[2]?.message).toMatch(/refused listing tables \(AuthorizationPermissionMismatch\)/);
    expect(outcome.failure?.message).toMatch(/permission list \(sp=r has no "l"\)/);
    expectNoSecret(outcome, sigOf(sas));
  });

  it('fails authorize for a SAS without the object resource type', async () => {
    const sas = generateAccountSas(keyCredential(), {
      expiresOn: inOneHour(),
      permissions: { query: true, list: true },
      resourceTypes: 's',
    });
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(outcome.failure?.stage).toBe('authorize');
    expect(outcome.failure?.message).toMatch(/resource type object, to read entities \(srt=s has no "o"\)/);
  });

  it('fails authorize for a SAS for another storage service', async () => {
    const sas = generateAccountSas(keyCredential(), {
      expiresOn: inOneHour(),
      permissions: { query: true, list: true },
      resourceTypes: 'sco',
      services: { blob: true },
    });
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(summary(outcome)).toBe('parse:passed reach:passed authenticate:passed authorize:failed');
    expect(outcome.stages[2]?.message).toMatch(/AuthorizationServiceMismatch/);
    expect(outcome.failure?.message).toMatch(/does not grant the Table service \(ss=b has no "t"\)/);
  });

  it('fails authorize for a table-scoped SAS', async () => {
    const sas = generateTableSas(table, keyCredential(), {
      expiresOn: inOneHour(),
      permissions: { query: true },
    });
    const outcome = await test(sasConnectionString(azuriteEndpoint(), sas));
    expect(summary(outcome)).toBe('parse:passed reach:passed authenticate:passed authorize:failed');
    expect(outcome.stages[2]?.message).toMatch(`accepted the table SAS for table "${table}"`);
    expect(outcome.failure?.message).toMatch(`scoped to the single table "${table}"`);
  });

  it('fails reach for a closed port, saying it was refused', async () => {
    const port = await closedPort();
    const outcome = await test(
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1`,
    );
    expect(summary(outcome)).toBe('parse:passed reach:failed authenticate:skipped authorize:skipped');
    expect(outcome.failure?.message).toMatch(
      /Could not connect to 127\.0\.0\.1:\d+: the connection was refused/,
    );
    expectNoSecret(outcome);
  });

  it('fails reach for a host that does not resolve', async () => {
    const outcome = await test(
      `AccountName=acme;AccountKey=${AZURITE_KEY};EndpointSuffix=nosuchhost.invalid`,
    );
    expect(outcome.failure?.stage).toBe('reach');
    expect(outcome.failure?.message).toMatch(
      /acme\.table\.nosuchhost\.invalid:443: (the host name does not resolve|DNS)/,
    );
  });

  it('fails reach (not throws) when the egress check cannot resolve the host', async () => {
    const ctx = testContext({ egress: createEgressPolicy({ allow: [], deny: [], denyPrivate: false }) });
    const outcome = await test(
      `AccountName=acme;AccountKey=${AZURITE_KEY};EndpointSuffix=nosuchhost.invalid`,
      ctx,
    );
    expect(outcome.failure).toMatchObject({ stage: 'reach', code: 'CONNECTOR-1308-400' });
    expect(outcome.failure?.message).toMatch(/acme\.table\.nosuchhost\.invalid could not be resolved/);
  });

  it('fails reach when the egress check outlives the stage timeout', async () => {
    const ctx = testContext({
      timeouts: { stageMs: 200, exploreMs: 1_000 },
      egress: { assertAllowed: () => new Promise(() => undefined) },
    });
    const outcome = await test(azuriteConnectionString(), ctx);
    expect(outcome.failure?.stage).toBe('reach');
    expect(outcome.failure?.message).toMatch(/took longer than 200 ms/);
  });

  it('fails reach with CONNECTOR-1309-400 when egress refuses the host', async () => {
    const ctx = testContext({ egress: createEgressPolicy({ allow: [], deny: [], denyPrivate: true }) });
    const outcome = await test(azuriteConnectionString(), ctx);
    expect(outcome.failure).toMatchObject({ stage: 'reach', code: 'CONNECTOR-1309-400' });
  });

  describe('against a server that accepts but never speaks TLS', () => {
    let server: Server;
    let port = 0;
    beforeAll(async () => {
      server = createServer(() => undefined);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => {
      server.close();
    });

    it('fails reach with a timeout within the stage limit', async () => {
      const ctx = testContext({ timeouts: { stageMs: 300, exploreMs: 1_000 } });
      const outcome = await test(
        `AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=https://127.0.0.1:${port}/devstoreaccount1`,
        ctx,
      );
      expect(outcome.failure?.stage).toBe('reach');
      expect(outcome.failure?.message).toMatch(
        /No answer from 127\.0\.0\.1:\d+ within 300 ms \(connection timed out\)/,
      );
    }, 10_000);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort(new AppError('FLOW-1103-503', 'shutting down'));
    await expect(test(azuriteConnectionString(), testContext({ signal: controller.signal }))).rejects.toThrow(
      'shutting down',
    );
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
