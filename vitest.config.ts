/**
 * Two projects. `unit`: in-process tests that start nothing (no Azurite, emulator, PostgreSQL, child
 * process or listening socket; a guard fails any test that tries) for the inner loop, `npm run
 * test:unit`. `integration`: files named `*.integration.test.ts`, with the real services. `npm test` runs both.
 */
import { defineConfig } from 'vitest/config';

const roots = ['src', 'emulators', 'test', 'ui/src'];
const integration = roots.map((root) => `${root}/**/*.integration.test.ts`);

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: roots.map((root) => `${root}/**/*.test.ts`),
          exclude: integration,
          setupFiles: ['test/support/unit-guard.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: integration,
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
