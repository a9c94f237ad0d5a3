import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, describeMode, loadConfig, type ReadFile } from './config.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';
const KEY = randomBytes(32).toString('base64');

/** A fake file system: path → contents; any other path fails like a missing file. */
function files(contents: Record<string, string>): ReadFile {
  return (path) => {
    const text = contents[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };
}
const noFiles = files({});

function problemsOf(env: NodeJS.ProcessEnv, readFile: ReadFile = noFiles): readonly string[] {
  try {
    loadConfig(env, readFile);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig defaults', () => {
  it('gives a development config on embedded SQLite under ./.sluice', () => {
    const config = loadConfig({}, noFiles);
    const dataDir = resolve('.sluice');
    expect(config).toEqual({
      mode: 'development',
      modeSource: 'loopback default',
      dataDir,
      server: {
        host: '127.0.0.1',
        port: 8080,
        logLevel: 'info',
        sandboxDefault: false,
        authCacheTtlMs: 5000,
        authFailureLimit: 10,
        authFailureWindowMs: 60_000,
      },
      store: { kind: 'sqlite', file: join(dataDir, 'sluice.db') },
      lake: { dir: join(dataDir, 'lake'), threads: 1, memoryMb: 512 },
      security: {
        encryptionKey: { file: join(dataDir, 'encryption.key') },
        extraCaCertFiles: [],
        extraCaCerts: [],
      },
      egress: { allow: [], deny: [], denyPrivate: false },
      limits: {
        bodyLimitBytes: 1_048_576,
        schemaSampleSize: 1000,
        listDefaultLimit: 100,
        listMaxLimit: 1000,
      },
      timeouts: { stageMs: 5000, exploreMs: 15_000 },
      runner: {
        enabled: true,
        runRetentionDays: 30,
        pollMs: 1000,
        leaseMs: 30_000,
        heartbeatMs: 5000,
        safetyLagMs: 30_000,
        overlapMs: 60_000,
        readBatchSize: 1000,
        readStreams: 8,
        retryAttempts: 5,
        retrySpanMs: 60_000,
        throttleBudgetMs: 600_000,
        maxRowErrors: 100_000,
        fileMaxRows: 100_000,
        heapGrowthPercent: 50,
      },
      queue: { engine: 'local', schema: 'sluice_queue', concurrency: 1, graceMs: 30_000, monitorMs: 2_000 },
      warnings: [],
    });
  });

  it('is deeply frozen', () => {
    const config = loadConfig({}, noFiles);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.egress.allow)).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('denies private addresses by default in production only', () => {
    expect(loadConfig({ SLUICE_MODE: 'production' }, noFiles).egress.denyPrivate).toBe(true);
    expect(
      loadConfig({ SLUICE_MODE: 'production', SLUICE_EGRESS_DENY_PRIVATE: 'false' }, noFiles).egress
        .denyPrivate,
    ).toBe(false);
    expect(loadConfig({ SLUICE_EGRESS_DENY_PRIVATE: 'yes' }, noFiles).egress.denyPrivate).toBe(true);
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ SLUICE_PORT: '  ', SLUICE_DATABASE_URL: '' }, noFiles).server.port).toBe(8080);
  });
});

describe('the default mode follows the listening address', () => {
  it.each([
    '127.0.0.1',
    '127.1.2.3',
    'localhost',
    'LOCALHOST.',
    'api.localhost',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
  ])('is development for loopback %s', (host) => {
    const config = loadConfig({ SLUICE_HOST: host }, noFiles);
    expect(config.mode).toBe('development');
    expect(config.modeSource).toBe('loopback default');
    expect(config.egress.denyPrivate).toBe(false);
    expect(describeMode(config)).toContain('the default for a server bound to loopback');
  });

  it.each([
    '0.0.0.0',
    '::',
    '192.168.1.20',
    '10.0.0.5',
    'sluice.internal',
    'localhost.example.com',
    '128.0.0.1',
  ])('is production for %s', (host) => {
    const config = loadConfig({ SLUICE_HOST: host }, noFiles);
    expect(config.mode).toBe('production');
    expect(config.modeSource).toBe('non-loopback default');
    expect(config.egress.denyPrivate).toBe(true);
    expect(describeMode(config)).toBe(
      `mode: production (the default for a server listening on ${host}, which is not loopback)`,
    );
  });

  it('SLUICE_MODE wins, and the banner says it was set', () => {
    const config = loadConfig({ SLUICE_HOST: '0.0.0.0', SLUICE_MODE: 'development' }, noFiles);
    expect(config.mode).toBe('development');
    expect(describeMode(config)).toBe('mode: development (set by SLUICE_MODE)');
    expect(loadConfig({ SLUICE_MODE: 'production' }, noFiles).egress.denyPrivate).toBe(true);
  });

  it('caps the authentication cache at 5 s (the documented revocation delay across processes)', () => {
    expect(problemsOf({ SLUICE_AUTH_CACHE_TTL_MS: '5001' })).toEqual([
      'SLUICE_AUTH_CACHE_TTL_MS must be a whole number from 0 to 5000 (got "5001")',
    ]);
    expect(loadConfig({ SLUICE_AUTH_CACHE_TTL_MS: '5000' }, noFiles).server.authCacheTtlMs).toBe(5000);
  });
});

describe('loadConfig values', () => {
  it('reads every variable', () => {
    const config = loadConfig(
      {
        SLUICE_HOST: '0.0.0.0',
        SLUICE_PORT: '0',
        SLUICE_DATA_DIR: '/var/lib/sluice',
        SLUICE_DATABASE_URL: 'postgres://sluice:pw@db:5432/sluice',
        SLUICE_LAKE_DIR: '/lake',
        SLUICE_LAKE_THREADS: '4',
        SLUICE_LAKE_MEMORY_MB: '256',
        SLUICE_ENCRYPTION_KEY: KEY,
        SLUICE_EXTRA_CA_CERTS: '/certs/a.pem, /certs/b.pem',
        SLUICE_MODE: 'production',
        SLUICE_EGRESS_ALLOW: 'Example.COM., *.azuredatabricks.net 10.0.0.0/8,[::1]',
        SLUICE_EGRESS_DENY: '169.254.169.254 fd00::/8',
        SLUICE_EGRESS_DENY_PRIVATE: 'off',
        SLUICE_LOG_LEVEL: 'debug',
        SLUICE_BODY_LIMIT_BYTES: '2048',
        SLUICE_STAGE_TIMEOUT_MS: '100',
        SLUICE_EXPLORE_TIMEOUT_MS: '200',
        SLUICE_SCHEMA_SAMPLE_SIZE: '5',
        SLUICE_LIST_DEFAULT_LIMIT: '10',
        SLUICE_LIST_MAX_LIMIT: '10',
        SLUICE_SANDBOX_DEFAULT: 'true',
        SLUICE_AUTH_CACHE_TTL_MS: '0',
        SLUICE_AUTH_FAILURE_LIMIT: '3',
        SLUICE_AUTH_FAILURE_WINDOW_MS: '2000',
        SLUICE_RUN_RETENTION_DAYS: '0',
        SLUICE_RUNNER_ENABLED: 'false',
        SLUICE_RUNNER_POLL_MS: '250',
        SLUICE_RUN_LEASE_MS: '2000',
        SLUICE_RUN_HEARTBEAT_MS: '500',
        SLUICE_RUN_SAFETY_LAG_MS: '0',
        SLUICE_RUN_OVERLAP_MS: '0',
        SLUICE_RUN_READ_BATCH_SIZE: '5000',
        SLUICE_RUN_READ_STREAMS: '3',
        SLUICE_RUN_RETRY_ATTEMPTS: '2',
        SLUICE_RUN_RETRY_SPAN_MS: '100',
        SLUICE_RUN_THROTTLE_BUDGET_MS: '1000',
        SLUICE_RUN_MAX_ROW_ERRORS: '7',
      },
      files({ '/certs/a.pem': PEM, '/certs/b.pem': `${PEM}${PEM}` }),
    );
    expect(config.mode).toBe('production');
    expect(config.modeSource).toBe('SLUICE_MODE');
    expect(config.server).toEqual({
      host: '0.0.0.0',
      port: 0,
      logLevel: 'debug',
      sandboxDefault: true,
      authCacheTtlMs: 0,
      authFailureLimit: 3,
      authFailureWindowMs: 2000,
    });
    expect(config.dataDir).toBe('/var/lib/sluice');
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgres://sluice:pw@db:5432/sluice' });
    expect(config.lake).toEqual({ dir: '/lake', threads: 4, memoryMb: 256 });
    expect(config.security.encryptionKey).toEqual({ key: KEY, file: '/var/lib/sluice/encryption.key' });
    expect(config.security.extraCaCertFiles).toEqual(['/certs/a.pem', '/certs/b.pem']);
    expect(config.security.extraCaCerts).toEqual([PEM, `${PEM}${PEM}`]);
    expect(config.egress).toEqual({
      allow: ['example.com', '*.azuredatabricks.net', '10.0.0.0/8', '[::1]'],
      deny: ['169.254.169.254', 'fd00::/8'],
      denyPrivate: false,
    });
    expect(config.limits).toEqual({
      bodyLimitBytes: 2048,
      schemaSampleSize: 5,
      listDefaultLimit: 10,
      listMaxLimit: 10,
    });
    expect(config.timeouts).toEqual({ stageMs: 100, exploreMs: 200 });
    expect(config.runner).toEqual({
      enabled: false,
      runRetentionDays: 0,
      pollMs: 250,
      leaseMs: 2000,
      heartbeatMs: 500,
      safetyLagMs: 0,
      overlapMs: 0,
      readBatchSize: 5000,
      readStreams: 3,
      retryAttempts: 2,
      retrySpanMs: 100,
      throttleBudgetMs: 1000,
      maxRowErrors: 7,
      fileMaxRows: 100_000,
      heapGrowthPercent: 50,
    });
  });

  it('accepts a hex key and resolves relative paths against the working directory', () => {
    const hex = randomBytes(32).toString('hex');
    const config = loadConfig({ SLUICE_ENCRYPTION_KEY: hex, SLUICE_DATA_DIR: 'data' }, noFiles);
    expect(config.security.encryptionKey.key).toBe(hex);
    expect(config.dataDir).toBe(resolve('data'));
    expect(config.store).toEqual({ kind: 'sqlite', file: resolve('data', 'sluice.db') });
  });

  it('reads the two secrets from <NAME>_FILE, trimming the trailing newline', () => {
    const config = loadConfig(
      { SLUICE_DATABASE_URL_FILE: '/run/secrets/db', SLUICE_ENCRYPTION_KEY_FILE: '/run/secrets/key' },
      files({ '/run/secrets/db': 'postgresql://u:p@h/d\n', '/run/secrets/key': `${KEY}\n` }),
    );
    expect(config.store).toEqual({ kind: 'postgres', url: 'postgresql://u:p@h/d' });
    expect(config.security.encryptionKey.key).toBe(KEY);
  });

  it('warns about unknown SLUICE_* variables without failing', () => {
    const config = loadConfig({ SLUICE_PROT: '1', SLUICE_TEST_DATABASE_URL: 'x', OTHER: 'y' }, noFiles);
    expect(config.warnings).toEqual(['SLUICE_PROT is not a Sluice setting (ignored; a typo?)']);
  });
});

describe('loadConfig problems', () => {
  const invalid: [string, string, RegExp][] = [
    ['SLUICE_PORT', '65536', /SLUICE_PORT must be a whole number from 0 to 65535 \(got "65536"\)/],
    ['SLUICE_PORT', '80a', /SLUICE_PORT must be a whole number/],
    ['SLUICE_PORT', '-1', /SLUICE_PORT must be a whole number/],
    ['SLUICE_MODE', 'staging', /SLUICE_MODE must be one of development, production/],
    [
      'SLUICE_LOG_LEVEL',
      'verbose',
      /SLUICE_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    ],
    ['SLUICE_EGRESS_DENY_PRIVATE', 'maybe', /SLUICE_EGRESS_DENY_PRIVATE must be true or false/],
    ['SLUICE_SANDBOX_DEFAULT', '2', /SLUICE_SANDBOX_DEFAULT must be true or false/],
    ['SLUICE_RUNNER_ENABLED', 'enabled', /SLUICE_RUNNER_ENABLED must be true or false/],
    ['SLUICE_BODY_LIMIT_BYTES', '10', /SLUICE_BODY_LIMIT_BYTES must be a whole number from 1024/],
    ['SLUICE_STAGE_TIMEOUT_MS', '0', /SLUICE_STAGE_TIMEOUT_MS must be a whole number from 1/],
    ['SLUICE_EXPLORE_TIMEOUT_MS', '1.5', /SLUICE_EXPLORE_TIMEOUT_MS must be a whole number/],
    ['SLUICE_SCHEMA_SAMPLE_SIZE', '0', /SLUICE_SCHEMA_SAMPLE_SIZE must be a whole number from 1/],
    ['SLUICE_LIST_DEFAULT_LIMIT', '0', /SLUICE_LIST_DEFAULT_LIMIT must be a whole number from 1/],
    [
      'SLUICE_LIST_MAX_LIMIT',
      '50',
      /SLUICE_LIST_DEFAULT_LIMIT \(100\) must not exceed SLUICE_LIST_MAX_LIMIT \(50\)/,
    ],
    ['SLUICE_RUN_RETENTION_DAYS', 'x', /SLUICE_RUN_RETENTION_DAYS must be a whole number/],
    ['SLUICE_RUN_LEASE_MS', '50', /SLUICE_RUN_LEASE_MS/],
    ['SLUICE_RUN_HEARTBEAT_MS', '20000', /at most half of SLUICE_RUN_LEASE_MS/],
    ['SLUICE_ENCRYPTION_KEY', randomBytes(16).toString('base64'), /SLUICE_ENCRYPTION_KEY must be 32 bytes/],
    ['SLUICE_ENCRYPTION_KEY', 'not-a-key!', /SLUICE_ENCRYPTION_KEY must be 32 bytes/],
    [
      'SLUICE_DATABASE_URL',
      'mysql://u:hunter2@h/d',
      /SLUICE_DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
    ],
    ['SLUICE_DATABASE_URL', 'not a url', /SLUICE_DATABASE_URL must be a postgres/],
    ['SLUICE_EGRESS_ALLOW', 'bad_host!', /SLUICE_EGRESS_ALLOW: invalid pattern "bad_host!"/],
    ['SLUICE_EGRESS_ALLOW', '*.', /invalid pattern "\*\."/],
    ['SLUICE_EGRESS_DENY', '10.0.0.0/33', /SLUICE_EGRESS_DENY: invalid pattern "10.0.0.0\/33"/],
    ['SLUICE_EGRESS_DENY', '999.1.1.1', /invalid pattern "999.1.1.1"/],
    ['SLUICE_EGRESS_DENY', '::1/129', /invalid pattern "::1\/129"/],
    ['SLUICE_EXTRA_CA_CERTS', '/missing.pem', /SLUICE_EXTRA_CA_CERTS: cannot read \/missing.pem \(ENOENT\)/],
  ];
  for (const [name, value, expected] of invalid) {
    it(`rejects ${name}=${value}`, () => {
      const problems = problemsOf({ [name]: value });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(expected);
    });
  }

  it('rejects a CA file that holds no PEM certificate', () => {
    const problems = problemsOf({ SLUICE_EXTRA_CA_CERTS: '/ca.txt' }, files({ '/ca.txt': 'hello' }));
    expect(problems).toEqual([
      'SLUICE_EXTRA_CA_CERTS: /ca.txt holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
    ]);
  });

  it('reports every problem at once, in one message', () => {
    let caught: unknown;
    try {
      loadConfig(
        { SLUICE_PORT: 'x', SLUICE_MODE: 'prod', SLUICE_LOG_LEVEL: 'loud', SLUICE_EGRESS_ALLOW: 'a b_c! d' },
        noFiles,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems).toHaveLength(4);
    expect(error.message).toMatch(/^Invalid configuration \(4 problems\):\n {2}- SLUICE_MODE/);
    for (const problem of error.problems) expect(error.message).toContain(problem);
  });

  it('never echoes secret values in problems', () => {
    const problems = problemsOf({
      SLUICE_DATABASE_URL: 'mysql://admin:hunter2@db/x',
      SLUICE_ENCRYPTION_KEY: 'hunter3-not-32-bytes',
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/hunter/);
  });

  it('checks the _FILE variants: unreadable, empty, both set, invalid content', () => {
    expect(problemsOf({ SLUICE_ENCRYPTION_KEY_FILE: '/nope' })).toEqual([
      'SLUICE_ENCRYPTION_KEY_FILE: cannot read /nope (ENOENT)',
    ]);
    expect(problemsOf({ SLUICE_DATABASE_URL_FILE: '/empty' }, files({ '/empty': '\n' }))).toEqual([
      'SLUICE_DATABASE_URL_FILE: /empty is empty',
    ]);
    expect(
      problemsOf({ SLUICE_ENCRYPTION_KEY: KEY, SLUICE_ENCRYPTION_KEY_FILE: '/k' }, files({ '/k': KEY })),
    ).toEqual(['SLUICE_ENCRYPTION_KEY and SLUICE_ENCRYPTION_KEY_FILE are both set; set only one']);
    const bad = problemsOf({ SLUICE_DATABASE_URL_FILE: '/db' }, files({ '/db': 'mysql://u:secretpw@h/d' }));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^SLUICE_DATABASE_URL_FILE \(\/db\) must be a postgres/);
    expect(bad[0]).not.toContain('secretpw');
  });
});

describe('describeConfig', () => {
  it('summarises without the key, the database password or user', () => {
    const config = loadConfig(
      {
        SLUICE_DATABASE_URL: 'postgres://admin:hunter2@db.internal:6543/sluice?sslmode=require',
        SLUICE_ENCRYPTION_KEY: KEY,
      },
      noFiles,
    );
    const summary = describeConfig(config);
    const text = JSON.stringify(summary);
    expect(summary.store).toBe('postgres postgres://db.internal:6543/sluice');
    expect(summary.encryptionKey).toBe('configured (SLUICE_ENCRYPTION_KEY)');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('admin');
    expect(text).not.toContain(KEY);
    expect(summary.listen).toBe('127.0.0.1:8080');
  });

  it('names the key file and the SQLite file by default', () => {
    const summary = describeConfig(loadConfig({ SLUICE_DATA_DIR: '/d' }, noFiles));
    expect(summary.store).toBe('sqlite /d/sluice.db');
    expect(summary.encryptionKey).toBe('key file /d/encryption.key');
  });
});
