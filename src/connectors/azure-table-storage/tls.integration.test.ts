import { connect } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerCredentials } from '../../../emulators/databricks/tls.ts';
import { azuriteEndpoint, uniqueTableName } from '../../../test/support/azurite.ts';
import { azureTableStorage } from './index.ts';
import { AZURITE_KEY, seedTable, testContext } from './test-fixture.ts';

/** A TLS front for Azurite with a certificate from a private CA: https end to end, verification on. */
let server: Server;
let port = 0;
let caPem = '';
const table = uniqueTableName('tls');
const connector = azureTableStorage.create({ schemaSampleSize: 1_000 });

beforeAll(async () => {
  await seedTable(azuriteEndpoint(), table, [{ partitionKey: 'p', rowKey: '1', v: 'over tls' }]);
  const credentials = createServerCredentials();
  caPem = credentials.caPem;
  const upstream = new URL(azuriteEndpoint());
  server = createServer({ cert: credentials.certPem, key: credentials.keyPem }, (socket) => {
    const backend = connect(Number(upstream.port), upstream.hostname);
    socket.pipe(backend).pipe(socket);
    socket.on('error', () => backend.destroy());
    backend.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(() => {
  server.close();
});

const connectionString = () =>
  `DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};TableEndpoint=https://localhost:${port}/devstoreaccount1`;

describe('https endpoints', () => {
  it('refuse a certificate from an unknown CA in the reach stage', async () => {
    const outcome = await connector.test({ connectionString: connectionString() }, testContext());
    expect(outcome.failure?.stage).toBe('reach');
    expect(outcome.failure?.message).toMatch(
      /localhost:\d+: its TLS certificate .*(not trusted|untrusted CA)/,
    );
  });

  it('trust the configured extra CA for the test and for previews', async () => {
    const ctx = testContext({ extraCaCerts: [caPem] });
    const outcome = await connector.test({ connectionString: connectionString() }, ctx);
    expect(outcome.ok).toBe(true);
    const result = await connector.preview(
      { connectionString: connectionString() },
      { table, count: 1 },
      ctx,
    );
    expect(result.rows[0]?.v).toBe('over tls');
  });
});
