/**
 * `npm run bench:adversarial [-- --requests 20000] [--seed N] [--store sqlite|postgres|both]`: the
 * adversarial pass of test/adversarial.integration.test.ts at any size (the suite runs 5000 requests per
 * store). Prints, per store: generated and raw requests, answers by status, 5xx, error answers that are
 * not problem JSON, echoes of unparsed input, secrets found in responses, logs and the store, and the
 * number of distinct forms tested; with the first failures when there are any. A benchmark, not a test:
 * it prints figures and exits 0 (1 only when the pass found a failure).
 */
import { parseArgs } from 'node:util';
import { runAdversarialPass, type PassFigures } from '../test/support/adversarial-pass.ts';
import { probePostgres } from '../test/support/postgres.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    store: { type: 'string', default: 'both' },
  },
});
const requests = Number(values.requests);
const seed = Number(values.seed);
const stores =
  values.store === 'both' ? (['sqlite', 'postgres'] as const) : [values.store as 'sqlite' | 'postgres'];

const results: PassFigures[] = [];
for (const store of stores) {
  if (store === 'postgres' && !(await probePostgres()).reachable) {
    process.stdout.write('postgres: unreachable, skipped (SLUICE_TEST_DATABASE_URL)\n');
    continue;
  }
  const figures = await runAdversarialPass({ dialect: store, requests, seed });
  results.push(figures);
  process.stdout.write(
    [
      `${figures.store} (seed ${figures.seed}, ${figures.seconds} s)`,
      `  generated requests ${figures.requests}, raw-socket requests ${figures.rawRequests} (${figures.rawWithoutAnswer} without an answer)`,
      `  answers by status ${JSON.stringify(figures.statuses)}`,
      `  5xx ${figures.serverErrors}   not problem JSON ${figures.notProblemJson}   echoes of unparsed input ${figures.echoes}`,
      `  secrets in responses ${figures.secretsInResponses}, in logs ${figures.secretsInLogs}, in the store ${figures.secretsInStore}`,
      `  distinct forms tested ${figures.forms}`,
      ...figures.failures.map((failure) => `  FAIL ${failure}`),
      '',
    ].join('\n'),
  );
}
process.exitCode = results.some((figures) => figures.failures.length > 0) ? 1 : 0;
