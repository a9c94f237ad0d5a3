/** The shape of an emulated workspace, and the small demo workspace used when none is given. */

export type ClusterState = 'RUNNING' | 'TERMINATED' | 'PENDING' | 'ERROR' | 'RESTARTING' | 'TERMINATING';

export interface ClusterFixture {
  id: string;
  name: string;
  state: ClusterState;
  /** Job clusters report cluster_source 'JOB' and refuse interactive SQL; interactive ones report 'UI'. */
  kind: 'interactive' | 'job';
  /** clusters/start: TERMINATED -> PENDING -> RUNNING after this many ms (default 200). */
  startDelayMs?: number;
}

/** A column with a Spark SQL type, e.g. INT, DECIMAL(38,9), ARRAY<STRING>, MAP<STRING,INT>, STRUCT<a:INT,b:STRING>. */
export interface ColumnFixture {
  name: string;
  type: string;
}

export interface TableFixture {
  name: string;
  columns: ColumnFixture[];
  /** Literal rows: numbers, bigints, strings, booleans, null, Dates (UTC), arrays/objects for complex columns. */
  rows?: unknown[][];
  /** A DuckDB SELECT over `range(count) AS r(i)` producing the columns in order, for big tables. */
  generate?: { count: number; select: string };
}

export interface WorkspaceFixture {
  /** The {orgId} of /sql/protocolv1/o/{orgId}/{clusterId}; default '0'. */
  workspaceId?: string;
  /** Valid personal access tokens. */
  tokens: string[];
  clusters: ClusterFixture[];
  /** The first catalog is the session default; its first database the default schema. */
  catalogs: { name: string; databases: { name: string; tables: TableFixture[] }[] }[];
}

export const defaultFixture: WorkspaceFixture = {
  workspaceId: '0',
  tokens: ['dapi-emulator-token'],
  clusters: [
    { id: '0123-456789-running', name: 'Shared interactive', state: 'RUNNING', kind: 'interactive' },
    { id: '0123-456789-stopped', name: 'Stopped interactive', state: 'TERMINATED', kind: 'interactive' },
    { id: '0123-456789-job', name: 'job-42-run-7', state: 'RUNNING', kind: 'job' },
  ],
  catalogs: [
    {
      name: 'hive_metastore',
      databases: [
        {
          name: 'acme',
          tables: [
            {
              name: 'customers',
              columns: [
                { name: 'id', type: 'INT' },
                { name: 'big_id', type: 'BIGINT' },
                { name: 'name', type: 'STRING' },
                { name: 'balance', type: 'DECIMAL(38,9)' },
                { name: 'score', type: 'DOUBLE' },
                { name: 'ratio', type: 'FLOAT' },
                { name: 'active', type: 'BOOLEAN' },
                { name: 'birth_date', type: 'DATE' },
                { name: 'updated_at', type: 'TIMESTAMP' },
                { name: 'age', type: 'SMALLINT' },
                { name: 'tier', type: 'TINYINT' },
                { name: 'avatar', type: 'BINARY' },
                { name: 'tags', type: 'ARRAY<STRING>' },
                { name: 'counters', type: 'MAP<STRING,INT>' },
                { name: 'address', type: 'STRUCT<city:STRING,zip:INT>' },
              ],
              rows: [
                [
                  1,
                  9007199254740993n,
                  'Ada Lovelace',
                  '12345678901234567890.123456789',
                  3.25,
                  0.5,
                  true,
                  '1815-12-10',
                  '2024-01-02 03:04:05.123456',
                  36,
                  1,
                  new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
                  ['vip', 'early'],
                  { logins: 3 },
                  { city: 'London', zip: 1 },
                ],
                [
                  2,
                  -9223372036854775808n,
                  'Zoë Ünicode 你好 🚀',
                  '-0.000000001',
                  -1.5e300,
                  -2.25,
                  false,
                  '2000-02-29',
                  '2024-06-30 23:59:59.999999',
                  -32768,
                  -128,
                  new Uint8Array([]),
                  [],
                  {},
                  { city: 'Zürich', zip: 8001 },
                ],
                [3, null, null, null, null, null, null, null, null, null, null, null, null, null, null],
              ],
            },
            {
              name: 'orders',
              columns: [
                { name: 'order_id', type: 'BIGINT' },
                { name: 'customer_id', type: 'INT' },
                { name: 'amount', type: 'DECIMAL(10,2)' },
                { name: 'created_at', type: 'TIMESTAMP' },
              ],
              generate: {
                count: 1000,
                select:
                  "i::BIGINT, (i % 3 + 1)::INT, (i * 1.25)::DECIMAL(10,2), TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE",
              },
            },
          ],
        },
        { name: 'default', tables: [] },
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
              rows: [
                [1n, 'signup', '2024-03-01 10:00:00'],
                [2n, 'login', '2024-03-01 10:05:00.5'],
              ],
            },
          ],
        },
      ],
    },
  ],
};
