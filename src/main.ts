/**
 * `npm start`: the embedded default — the API and a worker in one process (src/cli/process.ts), on the
 * SQLite store and local lake in ./.sluice unless SLUICE_* settings say otherwise. On the first start
 * it prints the four header values a tutorial's curl needs, as shell lines.
 */
import { runProcess } from './cli/process.ts';

const code = await runProcess({
  env: process.env,
  roles: { api: true },
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
process.exit(code);
