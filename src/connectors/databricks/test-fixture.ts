/** The emulated workspace the connector tests run against (tokens, clusters of every kind, typed tables). */
import { defaultFixture, type WorkspaceFixture } from '../../../emulators/databricks/fixture.ts';

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
