/**
 * Builds Sluice Studio (ui/ → ui/dist) when the bundle is missing or older than its sources, so that
 * `npm install && npm start` serves the UI with no further command. `--force` always builds.
 * Fresh bundle: it only compares file times (a few ms), so a cold start stays well under a second.
 * The bundle records its inputs' newest time in ui/dist/.build-stamp.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const INPUTS = ['ui/src', 'ui/public', 'ui/index.html', 'ui/vite.config.ts', 'ui/package.json', 'sdk/src'];
const STAMP = join(root, 'ui/dist/.build-stamp');

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let latest = info.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

export function uiIsFresh(): boolean {
  if (!existsSync(join(root, 'ui/dist/index.html')) || !existsSync(STAMP)) return false;
  const built = Number(readFileSync(STAMP, 'utf8'));
  return INPUTS.every((input) => newest(join(root, input)) <= built);
}

export function buildUi(): void {
  const started = INPUTS.reduce((latest, input) => Math.max(latest, newest(join(root, input))), 0);
  const vite = join(root, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: join(root, 'ui'),
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`the UI build failed (exit ${String(result.status)})`);
  writeFileSync(STAMP, String(started));
}

if (import.meta.main) {
  if (process.argv.includes('--force') || !uiIsFresh()) {
    process.stdout.write('Building Sluice Studio (ui/dist)…\n');
    buildUi();
  }
}
