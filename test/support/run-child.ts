/**
 * A Sluice runner process for crash tests: opens Sluice from the environment (SLUICE_DATA_DIR, the
 * runner settings), removes lake files an earlier crash left, as `main.ts` does at start, and runs the
 * runner loop until killed. It prints one line `ready` once the runner is started, so the parent knows
 * when a kill lands in a live runner rather than in start-up.
 */
import { loadConfig } from '../../src/config/config.ts';
import { createSluice } from '../../src/sluice.ts';

const quiet = {
  info: () => undefined,
  warn: () => undefined,
  error: (...args: unknown[]) => process.stderr.write(`${JSON.stringify(args)}\n`),
};

const sluice = await createSluice(loadConfig(), { logger: quiet as never });
await sluice.datasets.collectGarbage();
sluice.worker.start();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void sluice.worker
    .stop()
    .then(() => sluice.close())
    .then(() => process.exit(0));
});
