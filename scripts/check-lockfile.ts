/**
 * `npm run check:lockfile`: the lockfile checks that do not depend on the npm cache or the registry.
 *
 * Why: `npm ci` rebuilds the ideal tree from package-lock.json and asks the registry (or the cache)
 * for every dependency edge the lockfile does not resolve. An optional platform package missing from
 * the lockfile (another OS's DuckDB binding, say) is then resolved or not depending on what the
 * registry and the cache answer that day, and `npm ci` refuses the lockfile on one machine and accepts
 * it on another. So every edge must resolve inside the lockfile, to an entry with a version:
 *
 * 1. every package entry has a `version` (an entry without one is what npm writes for an optional
 *    dependency it could not fetch; `npm ci` later reports it as "Missing: name@ from lock file");
 * 2. every `dependencies` / `optionalDependencies` edge of every entry, and the root's dev
 *    dependencies, resolves by Node's lookup (own node_modules, then each ancestor's) to an entry;
 * 3. the root entry declares the same dependencies as package.json.
 *
 * docs/development.md says how to update dependencies so that these hold.
 */
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  link?: boolean;
  resolved?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

type Manifest = Pick<LockEntry, 'dependencies' | 'optionalDependencies' | 'devDependencies'>;

/** The locations Node would look in for `name` required from the package at `from`, nearest first. */
export function lookupPaths(from: string, name: string): string[] {
  const paths: string[] = [];
  let dir = from;
  for (;;) {
    paths.push(dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`);
    if (dir === '') return paths;
    // Up one package: "a/node_modules/b" → "a"; "node_modules/b" or a workspace folder → the root.
    const cut = dir.lastIndexOf('node_modules/');
    dir = cut <= 0 ? '' : dir.slice(0, cut - 1);
  }
}

export function checkLockfile(lock: Lockfile, manifest: Manifest): string[] {
  const problems: string[] = [];
  if (lock.lockfileVersion < 2) problems.push(`lockfileVersion ${lock.lockfileVersion}: expected 2 or 3`);
  const packages = lock.packages;
  const root = packages[''];
  if (root === undefined) return [...problems, 'the lockfile has no root entry ("")'];

  for (const field of ['dependencies', 'optionalDependencies', 'devDependencies'] as const) {
    const declared = JSON.stringify(Object.entries(manifest[field] ?? {}).sort());
    const locked = JSON.stringify(Object.entries(root[field] ?? {}).sort());
    if (declared !== locked)
      problems.push(`package.json ${field} differ from the lockfile's root entry: run npm install`);
  }

  for (const [path, entry] of Object.entries(packages)) {
    if (path === '' || entry.link === true) continue;
    if (entry.version === undefined || entry.version === '')
      problems.push(`${path}: no version (npm could not fetch it when the lockfile was written)`);
  }

  for (const [path, entry] of Object.entries(packages)) {
    if (entry.link === true) continue;
    const edges = {
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...(path === '' ? entry.devDependencies : {}),
    };
    for (const [name, range] of Object.entries(edges)) {
      const found = lookupPaths(path, name).find((candidate) => packages[candidate] !== undefined);
      if (found === undefined) {
        const optional = entry.optionalDependencies?.[name] !== undefined ? 'optional ' : '';
        problems.push(
          `${path === '' ? 'the root' : path} needs ${optional}${name}@${range}, which the lockfile does not hold`,
        );
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as Lockfile;
  const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
  const problems = checkLockfile(lock, manifest);
  if (problems.length > 0) {
    process.stderr.write(
      `package-lock.json is incomplete (${problems.length} problem(s)); see docs/development.md, "Dependencies":\n` +
        problems.map((problem) => `  - ${problem}`).join('\n') +
        '\n',
    );
    process.exit(1);
  }
  process.stdout.write(
    `package-lock.json: ${Object.keys(lock.packages).length} entries, every edge resolved\n`,
  );
}
