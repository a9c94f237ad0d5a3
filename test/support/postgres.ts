/**
 * The machine's PostgreSQL for tests: where it is, whether it answers, and throwaway schemas in it.
 * Every test that touches PostgreSQL works in its own fresh schema, so parallel test files never
 * see each other's tables.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** `SLUICE_TEST_DATABASE_URL`, else the local trust-auth server's `test` database. */
export function postgresTestUrl(): string {
  const configured = process.env.SLUICE_TEST_DATABASE_URL;
  return configured !== undefined && configured !== '' ? configured : DEFAULT_TEST_DATABASE_URL;
}

/** The URL without credentials, for messages. */
export function describePostgresUrl(url = postgresTestUrl()): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(unparseable SLUICE_TEST_DATABASE_URL)';
  }
}

export type PostgresProbe = { reachable: true } | { reachable: false; reason: string };

const probes = new Map<string, Promise<PostgresProbe>>();

/** Whether the test server answers a query (checked once per URL and process, 3 s timeout). */
export function probePostgres(url = postgresTestUrl()): Promise<PostgresProbe> {
  let probe = probes.get(url);
  if (!probe) {
    probe = (async (): Promise<PostgresProbe> => {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('select 1');
        return { reachable: true };
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const message = error instanceof Error && error.message !== '' ? error.message : String(code);
        return { reachable: false, reason: message };
      } finally {
        await client.end().catch(() => undefined);
      }
    })();
    probes.set(url, probe);
  }
  return probe;
}

export interface TestSchema {
  readonly url: string;
  readonly schema: string;
  /** Where a pg-boss queue of this test keeps its tables (SLUICE_QUEUE_SCHEMA). */
  readonly queueSchema: string;
  drop(): Promise<void>;
}

/**
 * Creates `s_<random>` in the test database; `drop()` removes it with everything in it, and the
 * `s_<random>q` schema a pg-boss run queue of the test may have created (`queueSchema`).
 */
export async function createTestSchema(url = postgresTestUrl()): Promise<TestSchema> {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  await withClient(url, (client) => client.query(`create schema "${schema}"`));
  let dropped: Promise<void> | undefined;
  const queueSchema = `${schema}q`;
  return {
    url,
    schema,
    queueSchema,
    drop: () =>
      (dropped ??= withClient(url, (client) =>
        client.query(
          `drop schema if exists "${schema}" cascade; drop schema if exists "${queueSchema}" cascade`,
        ),
      ).then(() => undefined)),
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
