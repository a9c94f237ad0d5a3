/**
 * The typed SDK (sdk/src/schema.d.ts, also the UI's client types) is generated from the served
 * /openapi.json; this fails `npm test` when a route changed and the file was not regenerated.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateSchemaSource } from '../sdk/scripts/schema-source.ts';

describe('the generated SDK', () => {
  it('is up to date with /openapi.json (else run: npm run generate:sdk)', async () => {
    const committed = readFileSync(new URL('../sdk/src/schema.d.ts', import.meta.url), 'utf8');
    const expected = await generateSchemaSource();
    expect(committed === expected, 'sdk/src/schema.d.ts is out of date: run npm run generate:sdk').toBe(true);
  });
});
