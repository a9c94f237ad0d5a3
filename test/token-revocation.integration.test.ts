/**
 * Revoking an access token: through the serving process it stops at once; through another process (the
 * CLI, in a child process, on the same store) it stops within the authentication cache's lifetime, which
 * the configuration caps at 5 s (docs/security.md). On SQLite and on PostgreSQL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { probePostgres } from './support/postgres.ts';
import { startTestSluice, type TestSluice } from './support/sluice.ts';

const run = promisify(execFile);
const postgres = await probePostgres();
const isCi = process.env.CI === 'true' || process.env.CI === '1';

let t: TestSluice | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The environment of a CLI child on the same store and key as `sluice`. */
function cliEnv(sluice: TestSluice): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('SLUICE_')) env[name] = value;
  env['SLUICE_DATA_DIR'] = sluice.sluice.config.dataDir;
  const { store } = sluice.sluice;
  if (store.dialect === 'postgres') {
    const url = new URL(process.env['SLUICE_TEST_DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/test');
    url.searchParams.set('options', `-c search_path=${store.schema ?? 'public'}`);
    env['SLUICE_DATABASE_URL'] = url.toString();
  }
  return env;
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !postgres.reachable && !isCi)(
    `token revocation [${dialect}]`,
    () => {
      it('through the serving process applies to the next request', async () => {
        t = await startTestSluice({ dialect });
        expect((await t.request('GET', '/connections')).statusCode).toBe(200);
        const [token] = await t.sluice.identity.listTokens(t.credentials.org.id);
        await t.sluice.identity.revokeToken(token?.id ?? '');
        expect((await t.request('GET', '/connections')).statusCode).toBe(401);
      });

      it('through another process (the CLI) applies within 5 s', { timeout: 60_000 }, async () => {
        t = await startTestSluice({ dialect });
        const sluice = t;
        expect(sluice.sluice.config.server.authCacheTtlMs).toBe(5000);
        expect((await sluice.request('GET', '/connections')).statusCode).toBe(200);
        const [token] = await sluice.sluice.identity.listTokens(sluice.credentials.org.id);
        const revoked = await run(
          process.execPath,
          ['src/cli/main.ts', 'tokens', 'revoke', token?.id ?? '', '--org', sluice.credentials.org.id],
          { env: cliEnv(sluice), cwd: process.cwd() },
        );
        const revokedAt = Date.now();
        expect(revoked.stderr).toBe('');
        let refusedAfterMs: number | undefined;
        while (Date.now() - revokedAt < 7000) {
          if ((await sluice.request('GET', '/connections')).statusCode === 401) {
            refusedAfterMs = Date.now() - revokedAt;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(refusedAfterMs, 'the revoked token still worked after 7 s').toBeDefined();
        expect(refusedAfterMs).toBeLessThanOrEqual(5000 + 250);
        const refused = await sluice.request('GET', '/connections');
        expect(refused.statusCode).toBe(401);
        expect(refused.body).toContain('revoked');
      });
    },
  );
}
