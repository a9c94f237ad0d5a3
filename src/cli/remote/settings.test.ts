/** Where a remote command goes: flags > environment > profile, and a profile's token stays with its URL. */
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskToken, resolveRemote, writeProfile } from './settings.ts';

let dir: string;
let env: Record<string, string>;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-profiles-'));
  env = { SLUICE_PROFILE_FILE: join(dir, 'sub', 'profiles.json') };
  await writeProfile(env['SLUICE_PROFILE_FILE'] ?? '', 'default', {
    url: 'http://saved:8080/',
    accessToken: 'slt_saved_secret',
    apiKey: 'slk_saved_key',
    orgId: 'SAVED@AdobeOrg',
    sandboxName: 'dev',
  });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('resolveRemote', () => {
  it('is in-process without a URL anywhere, or with --local', async () => {
    expect(await resolveRemote({}, { SLUICE_PROFILE_FILE: join(dir, 'none.json') })).toBeUndefined();
    expect(await resolveRemote({ local: true, url: 'http://x' }, env)).toBeUndefined();
  });

  it('takes the saved profile, with flags and the environment over it', async () => {
    expect(await resolveRemote({}, env)).toEqual({
      url: 'http://saved:8080',
      accessToken: 'slt_saved_secret',
      apiKey: 'slk_saved_key',
      orgId: 'SAVED@AdobeOrg',
      sandboxName: 'dev',
    });
    const overridden = await resolveRemote(
      { org: 'FLAG@AdobeOrg', sandbox: 'flagbox' },
      { ...env, SLUICE_ORG_ID: 'ENV@AdobeOrg', SLUICE_SANDBOX_NAME: 'envbox', SLUICE_API_KEY: 'slk_env' },
    );
    expect(overridden).toMatchObject({ orgId: 'FLAG@AdobeOrg', sandboxName: 'flagbox', apiKey: 'slk_env' });
  });

  it("never sends a profile's token to another URL", async () => {
    await expect(resolveRemote({ url: 'http://elsewhere:9' }, env)).rejects.toMatchObject({
      code: 'CLI-1004-400',
      message: expect.stringContaining('SLUICE_ACCESS_TOKEN, SLUICE_API_KEY, SLUICE_ORG_ID'),
    });
  });

  it('writes the file 0600 in a 0700 folder and refuses it when others may read it', async () => {
    const file = env['SLUICE_PROFILE_FILE'] ?? '';
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'sub')).mode & 0o777).toBe(0o700);
    chmodSync(file, 0o640);
    await expect(resolveRemote({}, env)).rejects.toMatchObject({ code: 'CLI-1005-403' });
  });

  it('refuses a profile that does not exist and URLs that are not http(s)', async () => {
    await expect(resolveRemote({ profile: 'staging' }, env)).rejects.toMatchObject({
      message: expect.stringContaining("no profile 'staging'"),
    });
    await expect(resolveRemote({ url: 'ftp://x' }, env)).rejects.toMatchObject({ code: 'CLI-1004-400' });
  });

  it('masks tokens down to their public id', () => {
    expect(maskToken('slt_ab12cd_verysecretpart')).toBe('slt_ab12cd_********');
    expect(maskToken('whatever')).toBe('********');
  });
});
