/** Test support: the emulated workspace the connector tests run against, and a per-file emulator. */
import { afterAll, beforeAll, expect } from 'vitest';
import { defaultFixture, type WorkspaceFixture } from '../../../emulators/databricks/fixture.ts';
import { startDatabricksEmulator, type DatabricksEmulator } from '../../../emulators/databricks/index.ts';
import { AppError } from '../../domain/errors.ts';
import type { ConnectorContext } from '../connector.ts';
import { createEgressPolicy } from '../egress.ts';
import { databricks } from './index.ts';

const customers = defaultFixture.catalogs[0]?.databases[0]?.tables.find((t) => t.name === 'customers');
if (customers === undefined) throw new Error('the emulator default fixture lost its customers table');

export const workspaceFixture: WorkspaceFixture = {
  workspaceId: '0',
  tokens: ['tok-good'],
  clusters: [
    { id: 'c-run', name: 'interactive', state: 'RUNNING', kind: 'interactive' },
    { id: 'c-run2', name: 'interactive 2', state: 'RUNNING', kind: 'interactive' },
    { id: 'c-stop', name: 'stopped', state: 'TERMINATED', kind: 'interactive' },
    { id: 'c-stop2', name: 'stopped 2', state: 'TERMINATED', kind: 'interactive', startDelayMs: 300 },
    { id: 'c-job', name: 'job cluster', state: 'RUNNING', kind: 'job' },
  ],
  catalogs: [
    {
      name: 'hive_metastore',
      databases: [
        {
          name: 'acme',
          tables: [
            customers,
            {
              name: 'people',
              columns: [
                { name: 'firstname', type: 'STRING' },
                { name: 'age', type: 'INT' },
              ],
              rows: [
                ['Ramen', 44],
                ['John', 20],
                ['John', 19],
                ['Ramen', null],
                ['Alice', 30],
                ["O'Hara", 50],
                ['Jo_hn', 33],
              ],
            },
            {
              name: 'big table',
              columns: [
                { name: 'i', type: 'BIGINT' },
                { name: 'label', type: 'STRING' },
              ],
              generate: { count: 1_000_000, select: "i::BIGINT, 'row ' || i::VARCHAR" },
            },
            { name: 'wide', columns: [{ name: 'x', type: 'INT' }], rows: [[1]] },
          ],
        },
      ],
    },
    {
      name: 'main',
      databases: [
        {
          name: 'default',
          tables: [
            {
              name: 'events',
              columns: [
                { name: 'event_id', type: 'BIGINT' },
                { name: 'kind', type: 'STRING' },
                { name: 'at', type: 'TIMESTAMP' },
              ],
              rows: [[1n, 'signup', '2024-03-01 10:00:00']],
            },
          ],
        },
      ],
    },
  ],
};

/** Starts one emulator for the calling test file (stopped in afterAll) and builds contexts and params. */
export const useEmulator = () => {
  let emu: DatabricksEmulator | undefined;
  beforeAll(async () => {
    emu = await startDatabricksEmulator({ fixture: workspaceFixture });
  }, 60_000);
  afterAll(async () => {
    await emu?.stop();
  });
  const running = (): DatabricksEmulator => {
    if (emu === undefined) throw new Error('the emulator is not started yet');
    return emu;
  };
  return {
    get emu(): DatabricksEmulator {
      return running();
    },
    connector: databricks.create({ schemaSampleSize: 1000 }),
    ctx: (overrides: Partial<ConnectorContext> = {}): ConnectorContext => ({
      signal: new AbortController().signal,
      timeouts: { stageMs: 3_000, exploreMs: 5_000 },
      egress: createEgressPolicy({ allow: ['127.0.0.1', 'localhost'], deny: [], denyPrivate: true }),
      extraCaCerts: [running().caPem],
      ...overrides,
    }),
    params: (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
      domain: `${running().url}/`,
      clusterId: 'c-run',
      accessToken: 'tok-good',
      database: 'acme',
      ...overrides,
    }),
  };
};

/** The AppError a promise rejects with (the test fails if it resolves or rejects with something else). */
export const failure = async (promise: Promise<unknown>): Promise<AppError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};
