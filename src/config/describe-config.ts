/**
 * A secret-free summary of the configuration for the start banner and `sluice config`. It never
 * contains the encryption key nor the database password (nor user name): only where they come from.
 */
import type { Config } from './config.ts';

export type ConfigSummary = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/** `postgres://host:port/database`, without user, password or query string. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** The banner's mode line: which mode applies and why (a setting, or the default for this address). */
export function describeMode(config: Config): string {
  const why =
    config.modeSource === 'SLUICE_MODE'
      ? 'set by SLUICE_MODE'
      : config.modeSource === 'loopback default'
        ? `the default for a server bound to loopback (${config.server.host}); set SLUICE_MODE=production to change it`
        : `the default for a server listening on ${config.server.host}, which is not loopback`;
  return `mode: ${config.mode} (${why})`;
}

export function describeConfig(config: Config): ConfigSummary {
  return {
    mode: config.mode,
    modeSource: config.modeSource,
    listen: `${config.server.host}:${config.server.port}`,
    logLevel: config.server.logLevel,
    dataDir: config.dataDir,
    store:
      config.store.kind === 'sqlite'
        ? `sqlite ${config.store.file}`
        : `postgres ${redactDatabaseUrl(config.store.url)}`,
    lakeDir: config.lake.dir,
    encryptionKey:
      config.security.encryptionKey.key === undefined
        ? `key file ${config.security.encryptionKey.file}`
        : 'configured (SLUICE_ENCRYPTION_KEY)',
    extraCaCerts: config.security.extraCaCertFiles,
    egressAllow: config.egress.allow,
    egressDeny: config.egress.deny,
    egressDenyPrivate: config.egress.denyPrivate,
    sandboxDefault: config.server.sandboxDefault,
    bodyLimitBytes: config.limits.bodyLimitBytes,
    schemaSampleSize: config.limits.schemaSampleSize,
    listLimits: `${config.limits.listDefaultLimit} default, ${config.limits.listMaxLimit} max`,
    stageTimeoutMs: config.timeouts.stageMs,
    exploreTimeoutMs: config.timeouts.exploreMs,
    runnerEnabled: config.runner.enabled,
    runRetentionDays: config.runner.runRetentionDays,
  };
}
