/**
 * The committed lockfile resolves every dependency edge itself, and the check that says so catches
 * what `npm ci` refuses on a cold cache: an optional platform package left out, or an entry without
 * a version.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkLockfile, lookupPaths } from '../scripts/check-lockfile.ts';

const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('package-lock.json', () => {
  it('resolves every edge to an entry with a version, and matches package.json', () => {
    expect(checkLockfile(read('package-lock.json'), read('package.json'))).toEqual([]);
  });

  it('looks a dependency up as Node does: own node_modules, then each ancestor, then the root', () => {
    expect(lookupPaths('node_modules/a/node_modules/@s/b', 'c')).toEqual([
      'node_modules/a/node_modules/@s/b/node_modules/c',
      'node_modules/a/node_modules/c',
      'node_modules/c',
    ]);
    expect(lookupPaths('ui', 'react')).toEqual(['ui/node_modules/react', 'node_modules/react']);
    expect(lookupPaths('', 'x')).toEqual(['node_modules/x']);
  });

  it('reports a missing optional platform package, an entry without version and a drifted root', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { duck: '^1.0.0' } },
        'node_modules/duck': {
          version: '1.0.0',
          optionalDependencies: { 'duck-linux-x64': '1.0.0', 'duck-darwin-arm64': '1.0.0' },
        },
        'node_modules/duck-linux-x64': { version: '1.0.0' },
        'node_modules/kernel-win32': {},
      },
    };
    expect(checkLockfile(lock, { dependencies: { duck: '^1.0.0', other: '1' } })).toEqual([
      "package.json dependencies differ from the lockfile's root entry: run npm install",
      'node_modules/kernel-win32: no version (npm could not fetch it when the lockfile was written)',
      'node_modules/duck needs optional duck-darwin-arm64@1.0.0, which the lockfile does not hold',
    ]);
  });
});
