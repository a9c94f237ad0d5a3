/**
 * Test support: the real @databricks/sql driver connected to an emulator over TLS, trusting the
 * emulator's CA through the driver's public `customCaCert` option (no certificate checks disabled).
 */
import { DBSQLClient } from '@databricks/sql';
import type { ConnectionOptions } from '@databricks/sql/dist/contracts/IDBSQLClient.js';
import type { DatabricksEmulator } from './index.ts';

export type IDBSQLSession = Awaited<ReturnType<DBSQLClient['openSession']>>;

export interface DriverConnection {
  client: DBSQLClient;
  session: IDBSQLSession;
  close: () => Promise<void>;
}

const silentLogger = { log: () => undefined };

export function driverOptions(
  emulator: DatabricksEmulator,
  overrides: Partial<ConnectionOptions> = {},
): ConnectionOptions {
  return {
    host: emulator.host,
    port: emulator.port,
    path: emulator.httpPath(),
    token: emulator.token,
    customCaCert: Buffer.from(emulator.caPem),
    telemetryEnabled: false,
    ...overrides,
  } as ConnectionOptions;
}

export function newClient(): DBSQLClient {
  return new DBSQLClient({ logger: silentLogger });
}

export async function connectDriver(
  emulator: DatabricksEmulator,
  overrides: Partial<ConnectionOptions> = {},
  sessionOptions: { initialCatalog?: string; initialSchema?: string } = {},
): Promise<DriverConnection> {
  const client = newClient();
  await client.connect(driverOptions(emulator, overrides));
  const session = await client.openSession(sessionOptions);
  return {
    client,
    session,
    close: async () => {
      await session.close();
      await client.close();
    },
  };
}

/** Runs a statement and returns all rows. */
export async function query(
  session: IDBSQLSession,
  sql: string,
  options: Parameters<IDBSQLSession['executeStatement']>[1] = {},
): Promise<Record<string, unknown>[]> {
  const operation = await session.executeStatement(sql, options);
  try {
    return (await operation.fetchAll()) as Record<string, unknown>[];
  } finally {
    await operation.close();
  }
}
