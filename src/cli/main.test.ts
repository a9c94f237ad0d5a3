import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { createSluice } from '../sluice.ts';
import { runCli } from './main.ts';

// Each test gets its own data dir, so any one of them runs alone (`-t`) or in any order.
let env: { SLUICE_DATA_DIR: string };
beforeEach(() => {
  env = { SLUICE_DATA_DIR: mkdtempSync(join(tmpdir(), 'sluice-cli-')) };
});
afterEach(() => {
  rmSync(env.SLUICE_DATA_DIR, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    (line) => {
      out.push(line);
    },
    (line) => {
      err.push(line);
    },
    env,
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const exported = (text: string, name: string): string =>
  new RegExp(`export ${name}=(\\S+)`).exec(text)?.[1] ?? '';

describe('sluice CLI', () => {
  it('creates an org whose printed credentials authenticate, and revokes tokens', async () => {
    const org = await cli('orgs', 'create', 'Acme');
    expect(org.code).toBe(0);
    const orgId = exported(org.out, 'ORG_ID');
    expect(orgId).toMatch(/@AdobeOrg$/);
    const apiKey = exported(org.out, 'API_KEY');

    expect((await cli('sandboxes', 'create', 'dev', '--title', 'Development')).code).toBe(0);
    expect((await cli('sandboxes', 'list')).out).toMatch(/dev\s+Development/);
    const token = await cli('tokens', 'create', '--read-only', '--name', 'reporting');
    expect(token.out).toContain('read-only');
    const value = exported(token.out, 'ACCESS_TOKEN');
    const listed = await cli('tokens', 'list');
    expect(listed.out).toMatch(/reporting\s+yes/);
    const tokenId = /^slt_([0-9a-z]+)_/.exec(value)?.[1] ?? '';

    const credentials = { authorization: `Bearer ${value}`, apiKey, orgId, sandboxName: 'dev' };
    let sluice = await createSluice(loadConfig(env));
    const actor = await sluice.identity.authenticate(credentials, { defaultSandbox: false });
    expect(actor).toMatchObject({ orgId, sandboxName: 'dev', readOnly: true });
    await sluice.close();

    expect((await cli('tokens', 'revoke', tokenId)).code).toBe(0);
    sluice = await createSluice(loadConfig(env));
    await expect(sluice.identity.authenticate(credentials, { defaultSandbox: false })).rejects.toThrow(
      /revoked/,
    );
    await sluice.close();
    expect((await cli('tokens', 'revoke', tokenId)).code).toBe(1);
  });

  it('needs --org when there are several organizations', async () => {
    await cli('orgs', 'create', 'First');
    await cli('orgs', 'create', 'Second');
    const result = await cli('tokens', 'create');
    expect(result.code).toBe(1);
    expect(result.err).toContain('--org');
  });

  it('prints usage for unknown commands and flags', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    const bad = await cli('orgs', 'list', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('usage: sluice');
    expect((await cli('--help')).out).toContain('explore <connectionId>');
  });
});
