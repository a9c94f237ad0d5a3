/**
 * The start banner's sign-in link, as `npm start` prints it: each start mints a new one (a fresh token
 * that expires in 12 h), its credentials are only in the fragment, and they sign in; the server's own log
 * lines (not the banner) never contain them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sluice-start-link-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the server, waits for the banner's link, checks it signs in, stops the server. */
async function startOnce(): Promise<{ link: string; banner: string; log: string }> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      ...process.env,
      SLUICE_DATA_DIR: dir,
      SLUICE_PORT: '0',
      SLUICE_RUNNER_ENABLED: 'false',
      SLUICE_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const deadline = Date.now() + 20_000;
    let link: string | undefined;
    while (link === undefined) {
      link = /Sluice Studio: open (\S+)/.exec(out)?.[1];
      if (Date.now() > deadline) throw new Error(`no sign-in link in: ${out}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = new URL(link);
    const fragment = new URLSearchParams(url.hash.slice(1));
    const response = await fetch(`${url.origin}/data/foundation/sluice/whoami`, {
      headers: {
        authorization: `Bearer ${fragment.get('token') ?? ''}`,
        'x-api-key': fragment.get('apiKey') ?? '',
        'x-gw-ims-org-id': fragment.get('org') ?? '',
        'x-sandbox-name': fragment.get('sandbox') ?? '',
      },
    });
    expect(response.status).toBe(200);
    const me = (await response.json()) as { readOnly: boolean; expiresAt: string; tokenName: string };
    expect(me.readOnly).toBe(false);
    expect(me.tokenName).toBe('studio-link');
    expect(Math.abs(Date.parse(me.expiresAt) - Date.now() - 12 * 3_600_000)).toBeLessThan(60_000);
    const page = await fetch(`${url.origin}/`);
    expect(page.status).toBe(200);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  // After the exit, so that every log line has been written.
  const link = /Sluice Studio: open (\S+)/.exec(out)?.[1] ?? '';
  return {
    link,
    banner: out,
    log: out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .join('\n'),
  };
}

describe('the start banner', () => {
  it('prints a fresh sign-in link at each start, with the credentials in the fragment only', async () => {
    const first = await startOnce();
    const second = await startOnce();
    expect(second.link).not.toBe(first.link);
    for (const start of [first, second]) {
      const url = new URL(start.link);
      expect(url.search).toBe('');
      expect(url.pathname).toBe('/');
      const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
      expect(token).toMatch(/^slt_/);
      expect(start.log).not.toContain(token);
    }
    expect(second.log).toContain('"msg":"request"');
  });
});
