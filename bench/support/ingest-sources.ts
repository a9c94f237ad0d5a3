/**
 * The sources of `npm run bench:ingest` and how measured children are run: an Azurite table loaded with
 * `submitTransaction` batches of 100 (several in flight), the Databricks emulator in its own process with
 * `generate`d tables, and `runChild`, which spawns a measured worker and collects its output.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AzureNamedKeyCredential, TableClient, type TransactionAction } from '@azure/data-tables';

export const ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development key (public, documented by Microsoft).
export const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const atsConnectionString = (endpoint: string): string =>
  `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};TableEndpoint=${endpoint};`;

export const atsClient = (endpoint: string, table: string): TableClient =>
  new TableClient(endpoint, table, new AzureNamedKeyCredential(ACCOUNT, KEY), {
    allowInsecureConnection: true,
  });

/** One measured subject: what the worker prints as its last stdout line. */
export interface Measure {
  readonly subject: string;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly baselineRssMB: number;
  readonly peakRssMB: number;
  readonly peakHeapMB: number;
  /** Peak V8 heap reserved (heapTotal) and memory outside it held by JS objects (external: Buffers, Arrow). */
  readonly peakHeapTotalMB?: number;
  readonly peakExternalMB?: number;
  /** CPU seconds (user + sys, every thread of the process, DuckDB's included) spent by the measured call. */
  readonly cpuSeconds: number;
  /** Extra facts a worker reports (run counters, output files, stage split). */
  readonly extra?: Record<string, unknown>;
}

/** Ten mixed properties per entity (string, Int32, Int64, Double, Boolean, DateTime, Guid). */
export async function loadAzurite(
  endpoint: string,
  table: string,
  count: number,
  lanes = 8,
): Promise<number> {
  const client = atsClient(endpoint, table);
  await client.createTable();
  const t0 = performance.now();
  let next = 0;
  const batchOf = (start: number): TransactionAction[] => {
    const actions: TransactionAction[] = [];
    // A transaction is one partition: 100 consecutive entities share partition n/1000.
    for (let n = start; n < Math.min(count, start + 100); n++) {
      actions.push([
        'create',
        {
          partitionKey: `p${String(Math.floor(n / 1_000)).padStart(4, '0')}`,
          rowKey: String(n).padStart(9, '0'),
          name: `customer ${n}`,
          age: n % 97,
          big: { value: String(9_007_199_254_740_993n + BigInt(n)), type: 'Int64' },
          score: n / 7,
          active: n % 3 === 0,
          joined: { value: new Date(Date.UTC(2024, 0, 1) + n * 1_000).toISOString(), type: 'DateTime' },
          id: { value: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, type: 'Guid' },
          city: ['Zürich', 'Oslo', '東京', 'Lima'][n % 4] ?? '',
          note: `a note of moderate length for entity ${n}`,
        },
      ]);
    }
    return actions;
  };
  const lane = async (): Promise<void> => {
    while (next < count) {
      const start = next;
      next += 100;
      await client.submitTransaction(batchOf(start));
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return (performance.now() - t0) / 1000;
}

export const DBX_COLUMNS = [
  { name: 'id', type: 'BIGINT' },
  { name: 'name', type: 'STRING' },
  { name: 'qty', type: 'INT' },
  { name: 'amount', type: 'DECIMAL(12,2)' },
  { name: 'score', type: 'DOUBLE' },
  { name: 'active', type: 'BOOLEAN' },
  { name: 'day', type: 'DATE' },
  { name: 'at', type: 'TIMESTAMP' },
  { name: 'code', type: 'STRING' },
  { name: 'small', type: 'SMALLINT' },
];

const GENERATE_SELECT =
  "i, 'customer ' || i, (i % 1000)::INT, (i * 0.01)::DECIMAL(12,2), i / 7.0, i % 3 = 0, DATE '2024-01-01' + (i % 365)::INT, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND, 'C' || (i % 9973), (i % 30000)::SMALLINT";

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 when it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name: state is the first, utime and stime the 12th and 13th.
    const fields =
      readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
        .split(') ')[1]
        ?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export function runChild(
  args: string[],
  options: { onLine?: (line: string) => void; env?: NodeJS.ProcessEnv } = {},
): { done: Promise<string>; kill: () => void; pid: number } {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: options.env ?? process.env,
  });
  let out = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    out += chunk;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) if (line !== '') options.onLine?.(line);
  });
  const done = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code === 0 || code === null) resolve(out);
      else reject(new Error(`${args.slice(0, 3).join(' ')} exited ${String(code)}`));
    });
  });
  return { done, kill: () => child.kill('SIGTERM'), pid: child.pid ?? 0 };
}

export interface EmulatorInfo {
  readonly url: string;
  readonly token: string;
  readonly clusterId: string;
  readonly httpPath: string;
  readonly caFile: string;
}

/** The emulator in its own process (its CPU and memory are not the flow's), one generated table per size. */
export async function startEmulator(
  dir: string,
  tables: readonly { name: string; rows: number }[],
  resultFormat: 'arrow' | 'column' = 'arrow',
): Promise<{ info: EmulatorInfo; pid: number; stop: () => Promise<void> }> {
  const fixture = {
    workspaceId: '0',
    tokens: ['dapi-bench'],
    clusters: [{ id: 'bench-cluster', name: 'bench', state: 'RUNNING', kind: 'interactive' }],
    catalogs: [
      {
        name: 'bench',
        databases: [
          {
            name: 'data',
            tables: tables.map((table) => ({
              name: table.name,
              columns: DBX_COLUMNS,
              generate: { count: table.rows, select: GENERATE_SELECT },
            })),
          },
        ],
      },
    ],
  };
  const fixtureFile = join(dir, 'fixture.json');
  writeFileSync(fixtureFile, JSON.stringify(fixture));
  const info: Record<string, string> = {};
  let ready: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const child = runChild(
    [
      'emulators/databricks/main.ts',
      '--port',
      '0',
      '--fixture',
      fixtureFile,
      '--dir',
      dir,
      '--result-format',
      resultFormat,
    ],
    {
      onLine: (line) => {
        const m = /^\s+(url|token|cluster id|http path|CA file)\s+(\S+)/.exec(line);
        if (m?.[1] !== undefined && m[2] !== undefined) info[m[1]] = m[2];
        if (m?.[1] === 'CA file') ready();
      },
    },
  );
  await Promise.race([listening, child.done]);
  return {
    pid: child.pid,
    info: {
      url: info['url'] ?? '',
      token: info['token'] ?? '',
      clusterId: info['cluster id'] ?? '',
      httpPath: info['http path'] ?? '',
      caFile: info['CA file'] ?? '',
    },
    stop: async () => {
      child.kill();
      await child.done.catch(() => undefined);
    },
  };
}
