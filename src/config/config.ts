/**
 * The one reader of process.env. `loadConfig` parses every `SLUICE_*` variable once, applies the
 * defaults, and either returns a deeply frozen `Config` or throws a `ConfigError` listing every
 * problem found (not just the first). Secrets (`SLUICE_DATABASE_URL`, `SLUICE_ENCRYPTION_KEY`) may
 * come from `<NAME>_FILE`; they are never written into problems or into `describeConfig`.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { checkEgressPattern } from './egress-patterns.ts';
import { EnvReader, type ReadFile } from './env-reader.ts';

export type { ReadFile } from './env-reader.ts';
export { describeConfig, describeMode, redactDatabaseUrl, type ConfigSummary } from './describe-config.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const MODES = ['development', 'production'] as const;
export type SluiceMode = (typeof MODES)[number];

/** Structurally the `StoreOptions` of src/store/db.ts, so it can be passed to `openStore` as is. */
export type StoreConfig =
  { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

export interface Config {
  readonly mode: SluiceMode;
  /**
   * Why this mode applies: set by SLUICE_MODE, or the default, which is production whenever the server
   * listens on anything but loopback (development only for a server bound to loopback).
   */
  readonly modeSource: 'SLUICE_MODE' | 'loopback default' | 'non-loopback default';
  /** Absolute; holds the SQLite store, the lake and the key file unless configured elsewhere. */
  readonly dataDir: string;
  readonly server: {
    readonly host: string;
    readonly port: number;
    readonly logLevel: LogLevel;
    /** When true, a request without x-sandbox-name works in the `prod` sandbox. */
    readonly sandboxDefault: boolean;
    /** A successful authentication is reused this long for the same headers (0 = check every request). */
    readonly authCacheTtlMs: number;
    /** Failed authentications one client address may make per window before it gets 429. */
    readonly authFailureLimit: number;
    readonly authFailureWindowMs: number;
  };
  readonly store: StoreConfig;
  readonly lake: {
    readonly dir: string;
    /** DuckDB's threads and memory limit for writing runs' Parquet (SLUICE_LAKE_THREADS, _MEMORY_MB). */
    readonly threads: number;
    readonly memoryMb: number;
  };
  readonly security: {
    /** Passable to `loadOrCreateKey` as is: `key` when configured, else the key file is used. */
    readonly encryptionKey: { readonly key?: string; readonly file: string };
    /** Absolute paths of SLUICE_EXTRA_CA_CERTS, and their PEM contents (same order). */
    readonly extraCaCertFiles: readonly string[];
    readonly extraCaCerts: readonly string[];
  };
  readonly egress: {
    readonly allow: readonly string[];
    readonly deny: readonly string[];
    readonly denyPrivate: boolean;
  };
  readonly limits: {
    readonly bodyLimitBytes: number;
    readonly schemaSampleSize: number;
    readonly listDefaultLimit: number;
    readonly listMaxLimit: number;
  };
  readonly timeouts: { readonly stageMs: number; readonly exploreMs: number };
  readonly runner: {
    readonly enabled: boolean;
    readonly runRetentionDays: number;
    readonly pollMs: number;
    readonly leaseMs: number;
    readonly heartbeatMs: number;
    readonly safetyLagMs: number;
    readonly overlapMs: number;
    readonly readBatchSize: number;
    /** Read streams one worker runs at once across its runs (split reads take one per range). */
    readonly readStreams: number;
    readonly retryAttempts: number;
    /** What the backoff delays between the attempts of a failing read add up to (at most; at least half). */
    readonly retrySpanMs: number;
    readonly throttleBudgetMs: number;
    readonly maxRowErrors: number;
    /** Rows per Parquet file a run writes; bounds the memory a window needs. */
    readonly fileMaxRows: number;
    /**
     * How far past the live heap V8 lets the old generation grow before a full collection, in percent, in a
     * process that executes runs; 0 leaves it to V8 (which lets it grow up to 4× while collections are cheap).
     */
    readonly heapGrowthPercent: number;
  };
  readonly queue: {
    /** `local`: the runs table is the queue (SQLite, one machine); `pg-boss`: pg-boss on the PostgreSQL store. */
    readonly engine: 'local' | 'pg-boss';
    /** PostgreSQL schema of pg-boss's tables. */
    readonly schema: string;
    /** Runs one worker process executes at once. */
    readonly concurrency: number;
    /** On SIGTERM, how long active runs may take to finish before they are handed back. */
    readonly graceMs: number;
    /** How often pg-boss's monitor fails jobs whose heartbeat stopped (and so how fast a takeover starts). */
    readonly monitorMs: number;
  };
  /** Not errors: e.g. unknown SLUICE_* variables (probably typos), for the start banner. */
  readonly warnings: readonly string[];
}

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Every variable `loadConfig` reads (the `_FILE` forms included). */
export const CONFIG_VARIABLES = [
  'SLUICE_HOST',
  'SLUICE_PORT',
  'SLUICE_DATA_DIR',
  'SLUICE_DATABASE_URL',
  'SLUICE_DATABASE_URL_FILE',
  'SLUICE_LAKE_DIR',
  'SLUICE_ENCRYPTION_KEY',
  'SLUICE_ENCRYPTION_KEY_FILE',
  'SLUICE_EXTRA_CA_CERTS',
  'SLUICE_MODE',
  'SLUICE_EGRESS_ALLOW',
  'SLUICE_EGRESS_DENY',
  'SLUICE_EGRESS_DENY_PRIVATE',
  'SLUICE_LOG_LEVEL',
  'SLUICE_BODY_LIMIT_BYTES',
  'SLUICE_STAGE_TIMEOUT_MS',
  'SLUICE_EXPLORE_TIMEOUT_MS',
  'SLUICE_SCHEMA_SAMPLE_SIZE',
  'SLUICE_LIST_DEFAULT_LIMIT',
  'SLUICE_LIST_MAX_LIMIT',
  'SLUICE_SANDBOX_DEFAULT',
  'SLUICE_AUTH_CACHE_TTL_MS',
  'SLUICE_AUTH_FAILURE_LIMIT',
  'SLUICE_AUTH_FAILURE_WINDOW_MS',
  'SLUICE_RUN_RETENTION_DAYS',
  'SLUICE_RUNNER_ENABLED',
  'SLUICE_RUNNER_POLL_MS',
  'SLUICE_RUN_LEASE_MS',
  'SLUICE_RUN_HEARTBEAT_MS',
  'SLUICE_RUN_SAFETY_LAG_MS',
  'SLUICE_RUN_OVERLAP_MS',
  'SLUICE_RUN_READ_BATCH_SIZE',
  'SLUICE_RUN_RETRY_ATTEMPTS',
  'SLUICE_RUN_RETRY_SPAN_MS',
  'SLUICE_RUN_THROTTLE_BUDGET_MS',
  'SLUICE_RUN_MAX_ROW_ERRORS',
  'SLUICE_RUN_FILE_MAX_ROWS',
  'SLUICE_RUN_HEAP_GROWTH_PERCENT',
  'SLUICE_RUN_QUEUE',
  'SLUICE_QUEUE_SCHEMA',
  'SLUICE_WORKER_CONCURRENCY',
  'SLUICE_WORKER_GRACE_MS',
  'SLUICE_QUEUE_MONITOR_MS',
] as const;

const MIB = 1024 * 1024;
const HOUR_MS = 3_600_000;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, readFile: ReadFile = readFileSync): Config {
  const read = new EnvReader(env, readFile);

  const host = read.string('SLUICE_HOST', '127.0.0.1');
  const loopback = isLoopbackHost(host);
  const modeSet = (env['SLUICE_MODE'] ?? '').trim() !== '';
  const mode = read.oneOf('SLUICE_MODE', MODES, loopback ? 'development' : 'production');
  const modeSource = modeSet ? 'SLUICE_MODE' : loopback ? 'loopback default' : 'non-loopback default';
  const dataDir = read.path('SLUICE_DATA_DIR', './.sluice');
  const server = {
    host,
    port: read.integer('SLUICE_PORT', 8080, 0, 65_535),
    logLevel: read.oneOf('SLUICE_LOG_LEVEL', LOG_LEVELS, 'info'),
    sandboxDefault: read.boolean('SLUICE_SANDBOX_DEFAULT', false),
    // At most 5 s: a token revoked by another process (the CLI) stops working within this time.
    authCacheTtlMs: read.integer('SLUICE_AUTH_CACHE_TTL_MS', 5000, 0, 5000),
    authFailureLimit: read.integer('SLUICE_AUTH_FAILURE_LIMIT', 10, 1, 1_000_000),
    authFailureWindowMs: read.integer('SLUICE_AUTH_FAILURE_WINDOW_MS', 60_000, 1000, HOUR_MS),
  };
  const store = readStore(read, dataDir);
  const lake = {
    dir: read.path('SLUICE_LAKE_DIR', join(dataDir, 'lake')),
    threads: read.integer('SLUICE_LAKE_THREADS', 1, 1, 256),
    memoryMb: read.integer('SLUICE_LAKE_MEMORY_MB', 512, 64, 1_048_576),
  };
  const security = {
    encryptionKey: readEncryptionKey(read, dataDir),
    ...readCaCerts(read),
  };
  const egress = {
    allow: readEgressList(read, 'SLUICE_EGRESS_ALLOW'),
    deny: readEgressList(read, 'SLUICE_EGRESS_DENY'),
    denyPrivate: read.boolean('SLUICE_EGRESS_DENY_PRIVATE', mode === 'production'),
  };
  const limits = {
    bodyLimitBytes: read.integer('SLUICE_BODY_LIMIT_BYTES', MIB, 1024, 1024 * MIB),
    schemaSampleSize: read.integer('SLUICE_SCHEMA_SAMPLE_SIZE', 1000, 1, 1_000_000),
    listDefaultLimit: read.integer('SLUICE_LIST_DEFAULT_LIMIT', 100, 1, 1_000_000),
    listMaxLimit: read.integer('SLUICE_LIST_MAX_LIMIT', 1000, 1, 1_000_000),
  };
  if (limits.listDefaultLimit > limits.listMaxLimit) {
    read.problem(
      `SLUICE_LIST_DEFAULT_LIMIT (${limits.listDefaultLimit}) must not exceed SLUICE_LIST_MAX_LIMIT (${limits.listMaxLimit})`,
    );
  }
  const timeouts = {
    stageMs: read.integer('SLUICE_STAGE_TIMEOUT_MS', 5000, 1, HOUR_MS),
    exploreMs: read.integer('SLUICE_EXPLORE_TIMEOUT_MS', 15_000, 1, HOUR_MS),
  };
  const runner = {
    enabled: read.boolean('SLUICE_RUNNER_ENABLED', true),
    runRetentionDays: read.integer('SLUICE_RUN_RETENTION_DAYS', 30, 0, 36_500),
    pollMs: read.integer('SLUICE_RUNNER_POLL_MS', 1000, 10, HOUR_MS),
    leaseMs: read.integer('SLUICE_RUN_LEASE_MS', 30_000, 100, HOUR_MS),
    heartbeatMs: read.integer('SLUICE_RUN_HEARTBEAT_MS', 5000, 10, HOUR_MS),
    safetyLagMs: read.integer('SLUICE_RUN_SAFETY_LAG_MS', 30_000, 0, HOUR_MS),
    overlapMs: read.integer('SLUICE_RUN_OVERLAP_MS', 60_000, 0, 24 * HOUR_MS),
    readBatchSize: read.integer('SLUICE_RUN_READ_BATCH_SIZE', 1000, 1, 100_000),
    readStreams: read.integer('SLUICE_RUN_READ_STREAMS', 8, 1, 256),
    retryAttempts: read.integer('SLUICE_RUN_RETRY_ATTEMPTS', 5, 1, 100),
    retrySpanMs: read.integer('SLUICE_RUN_RETRY_SPAN_MS', 60_000, 0, 24 * HOUR_MS),
    throttleBudgetMs: read.integer('SLUICE_RUN_THROTTLE_BUDGET_MS', 600_000, 0, 24 * HOUR_MS),
    maxRowErrors: read.integer('SLUICE_RUN_MAX_ROW_ERRORS', 100_000, 0, 10_000_000),
    fileMaxRows: read.integer('SLUICE_RUN_FILE_MAX_ROWS', 100_000, 1, 100_000_000),
    heapGrowthPercent: read.integer('SLUICE_RUN_HEAP_GROWTH_PERCENT', 50, 0, 1000),
  };
  if (runner.heartbeatMs * 2 > runner.leaseMs) {
    read.problems.push(
      `SLUICE_RUN_HEARTBEAT_MS (${runner.heartbeatMs}) must be at most half of SLUICE_RUN_LEASE_MS (${runner.leaseMs}), so a live runner never loses its lease`,
    );
  }

  const engine = read.oneOf(
    'SLUICE_RUN_QUEUE',
    ['local', 'pg-boss'],
    store.kind === 'postgres' ? 'pg-boss' : 'local',
  );
  if (engine === 'pg-boss' && store.kind !== 'postgres')
    read.problem('SLUICE_RUN_QUEUE=pg-boss needs the PostgreSQL store (set SLUICE_DATABASE_URL)');
  const queueSchema = read.string('SLUICE_QUEUE_SCHEMA', 'sluice_queue');
  if (!/^[a-z_][a-z0-9_]{0,49}$/.test(queueSchema))
    read.problem('SLUICE_QUEUE_SCHEMA must be a lower-case SQL identifier of at most 50 characters');
  const queue = {
    engine,
    schema: queueSchema,
    concurrency: read.integer('SLUICE_WORKER_CONCURRENCY', 1, 1, 64),
    graceMs: read.integer('SLUICE_WORKER_GRACE_MS', 30_000, 0, HOUR_MS),
    monitorMs: read.integer('SLUICE_QUEUE_MONITOR_MS', 2_000, 1_000, HOUR_MS),
  };

  if (read.problems.length > 0) throw new ConfigError(read.problems);

  const known = new Set<string>(CONFIG_VARIABLES);
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith('SLUICE_') && !name.startsWith('SLUICE_TEST_') && !known.has(name))
    .sort()
    .map((name) => `${name} is not a Sluice setting (ignored; a typo?)`);

  return deepFreeze({
    mode,
    modeSource,
    dataDir,
    server,
    store,
    lake,
    security,
    egress,
    limits,
    timeouts,
    runner,
    queue,
    warnings,
  });
}

/**
 * True for the addresses only this machine can reach: `localhost` (and `*.localhost`), 127.0.0.0/8, ::1
 * and ::ffff:127.x.y.z. Anything else (0.0.0.0, ::, a host name, a LAN address) is reachable from outside.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return true;
  return name === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(name);
}

function readStore(read: EnvReader, dataDir: string): StoreConfig {
  const url = read.secret('SLUICE_DATABASE_URL');
  if (url === undefined) return { kind: 'sqlite', file: join(dataDir, 'sluice.db') };
  let parsed: URL | undefined;
  try {
    parsed = new URL(url.value);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    // The URL may hold a password: name where it came from, never echo it.
    read.problem(
      `${url.from} must be a postgres:// or postgresql:// URL (leave it unset for the embedded SQLite store)`,
    );
    return { kind: 'sqlite', file: join(dataDir, 'sluice.db') };
  }
  return { kind: 'postgres', url: url.value };
}

function readEncryptionKey(read: EnvReader, dataDir: string): { key?: string; file: string } {
  const file = join(dataDir, 'encryption.key');
  const key = read.secret('SLUICE_ENCRYPTION_KEY');
  if (key === undefined) return { file };
  if (!isKey32(key.value)) {
    read.problem(
      `${key.from} must be 32 bytes in base64 or hex (generate one with: openssl rand -base64 32)`,
    );
    return { file };
  }
  return { key: key.value, file };
}

/** Mirrors crypto's decodeKey (config may not import crypto): 64 hex digits or base64 of 32 bytes. */
function isKey32(text: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return true;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length === 32;
}

function readCaCerts(read: EnvReader): { extraCaCertFiles: string[]; extraCaCerts: string[] } {
  const files = (read.raw('SLUICE_EXTRA_CA_CERTS') ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const extraCaCertFiles: string[] = [];
  const extraCaCerts: string[] = [];
  for (const file of files) {
    const absolute = isAbsolute(file) ? file : resolve(file);
    const text = read.readText('SLUICE_EXTRA_CA_CERTS', absolute);
    if (text === undefined) continue;
    if (!PEM_CERTIFICATE.test(text)) {
      read.problem(
        `SLUICE_EXTRA_CA_CERTS: ${absolute} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
      );
      continue;
    }
    extraCaCertFiles.push(absolute);
    extraCaCerts.push(text);
  }
  return { extraCaCertFiles, extraCaCerts };
}

function readEgressList(read: EnvReader, name: string): string[] {
  const patterns: string[] = [];
  for (const raw of read.list(name)) {
    const pattern = checkEgressPattern(raw);
    if (pattern === undefined) {
      read.problem(
        `${name}: invalid pattern "${raw}" (expected a hostname, *.suffix, an IPv4/IPv6 address or a CIDR range)`,
      );
    } else if (!patterns.includes(pattern)) {
      patterns.push(pattern);
    }
  }
  return patterns;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
