/**
 * `npm start`: the embedded default — the API and a worker in one process (src/cli/process.ts), on the
 * SQLite store and local lake in ./.sluice unless SLUICE_* settings say otherwise. On the first start
 * it prints the four header values a tutorial's curl needs, as shell lines.
 */
import { enableCompileCache } from 'node:module';

// Node keeps the compiled (and type-stripped) code of every module in an on-disk cache (NODE_COMPILE_CACHE,
// else the OS temp dir; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so every start after the first skips
// most of the ≈ 2,400 module compiles. It must be on before the graph loads, hence the dynamic import.
enableCompileCache();
const { runProcess } = await import('./cli/process.ts');

const code = await runProcess({
  env: process.env,
  roles: { api: true },
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exit(code);
