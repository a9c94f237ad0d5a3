/**
 * The package bin (`bin/sluice.js`) as a user's shell starts it: a child process, hence integration.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'sluice-bin-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sluice = (...argv: string[]) =>
  spawnSync(process.execPath, ['bin/sluice.js', ...argv], {
    env: { ...process.env, SLUICE_DATA_DIR: dir },
    encoding: 'utf8',
  });

it('runs through the package bin', () => {
  const created = sluice('orgs', 'create', 'Acme');
  expect(created.status, created.stderr).toBe(0);
  const listed = sluice('orgs', 'list');
  expect(listed.status, listed.stderr).toBe(0);
  expect(listed.stdout).toContain('Acme');
});
