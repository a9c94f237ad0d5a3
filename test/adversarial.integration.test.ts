/**
 * The adversarial pass of issue 10, kept in the suite: a seeded request generator over /openapi.json
 * (every operation, hostile ids, queries, headers and bodies) plus raw-socket requests, on SQLite and on
 * PostgreSQL. It fails on any 5xx, any error answer that is not catalogued problem JSON, any echo of input
 * that could not be parsed, and any secret (declared or not) in a response, a log line or the store.
 *
 * Bounded for the suite (SLUICE_TEST_FUZZ_REQUESTS, default 5000 per store; SLUICE_TEST_FUZZ_SEED to
 * reproduce a failure); a larger pass: `npm run bench:adversarial -- --requests 20000`.
 */
import { describe, expect, it } from 'vitest';
import { runAdversarialPass } from './support/adversarial-pass.ts';
import { probePostgres } from './support/postgres.ts';

const postgres = await probePostgres();
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const requests = Number(process.env['SLUICE_TEST_FUZZ_REQUESTS'] ?? 5000);
const seed = Number(process.env['SLUICE_TEST_FUZZ_SEED'] ?? 20_261_201);

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe.skipIf(dialect === 'postgres' && !postgres.reachable && !isCi)(
    `adversarial pass [${dialect}]`,
    () => {
      it(
        'answers every generated and raw request without a 5xx, with problem JSON, echoing and leaking nothing',
        { timeout: 240_000 },
        async () => {
          const figures = await runAdversarialPass({ dialect, requests, seed });
          // The figures of the pass, for the record (docs/security.md quotes them).
          console.log(
            `adversarial pass ${JSON.stringify({ ...figures, failures: figures.failures.length })}`,
          );
          expect(figures.store).toBe(dialect);
          expect(figures.failures).toEqual([]);
          expect(figures.serverErrors).toBe(0);
          expect(figures.notProblemJson).toBe(0);
          expect(figures.echoes).toBe(0);
          expect(figures.secretsInResponses + figures.secretsInLogs + figures.secretsInStore).toBe(0);
          expect(figures.rawWithoutAnswer).toBe(0);
          // The generator really exercised the error paths and the success paths.
          expect(figures.forms).toBeGreaterThan(80);
          expect(
            Object.keys(figures.statuses).filter((status) => Number(status) >= 400).length,
          ).toBeGreaterThan(6);
          expect(figures.statuses['200']).toBeGreaterThan(0);
        },
      );
    },
  );
}
