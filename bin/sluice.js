#!/usr/bin/env node
// The `sluice` CLI. Sluice targets Node 24 (type stripping, node:sqlite); when this shim is started by an
// older system Node, it re-executes the CLI with the Node 24 that the `node` devDependency installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src', 'cli', 'main.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  // The compiled code of every module is cached on disk (see src/main.ts).
  (await import('node:module')).enableCompileCache();
  const { runCli } = await import(entry);
  process.exitCode = await runCli(
    process.argv.slice(2),
    (line) => process.stdout.write(`${line}\n`),
    (line) => process.stderr.write(`${line}\n`),
  );
} else {
  const bundled = join(root, 'node_modules', '.bin', 'node');
  if (!existsSync(bundled)) {
    console.error(`sluice needs Node 24 or newer (this is ${process.version}); run npm install first.`);
    process.exit(1);
  }
  const result = spawnSync(bundled, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
