/** `sluice ui-link [--read-only]`: a fresh sign-in link whose fragment credentials authenticate. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.ts';
import { createSluice } from '../../sluice.ts';
import { runCli } from '../main.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-ui-link-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string }> {
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
    { SLUICE_DATA_DIR: dir, SLUICE_PORT: '9099' },
  );
  return { code, out, err: err.join('\n') };
}

async function authenticate(link: string) {
  const fragment = new URLSearchParams(new URL(link).hash.slice(1));
  const sluice = await createSluice(loadConfig({ SLUICE_DATA_DIR: dir }));
  try {
    return await sluice.identity.authenticate(
      {
        authorization: `Bearer ${fragment.get('token') ?? ''}`,
        apiKey: fragment.get('apiKey') ?? '',
        orgId: fragment.get('org') ?? '',
        sandboxName: fragment.get('sandbox') ?? '',
      },
      { defaultSandbox: false },
    );
  } finally {
    await sluice.close();
  }
}

describe('sluice ui-link', () => {
  it('prints a link to this server with fresh credentials in the fragment only', async () => {
    expect((await cli('orgs', 'create', 'Acme')).code).toBe(0);
    const first = await cli('ui-link');
    expect(first.code, first.err).toBe(0);
    const link = first.out[0] ?? '';
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:9099\/#token=slt_/);
    expect(new URL(link).search).toBe('');
    expect(first.out[1]).toMatch(/expires at \d{4}-.*sluice tokens revoke [0-9a-f]{12}/);
    const actor = await authenticate(link);
    expect(actor.readOnly).toBe(false);
    expect(actor.sandboxName).toBe('prod');

    const second = await cli('ui-link', '--read-only');
    expect(second.out[0]).not.toBe(link);
    expect(second.out[1]).toMatch(/^Read-only link/);
    expect((await authenticate(second.out[0] ?? '')).readOnly).toBe(true);
  });

  it('refuses when there is no org yet, saying how to make one', async () => {
    const result = await cli('ui-link');
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/no organization yet/);
  });
});
