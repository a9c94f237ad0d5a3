/**
 * `npm run generate:sdk`: writes sdk/src/schema.d.ts, the TypeScript types of every path, parameter,
 * body and response of the API, from the OpenAPI document the server serves at /openapi.json.
 * The document is taken from an in-process app (temp data dir, nothing listens). A test
 * (test/sdk-up-to-date.test.ts) fails `npm test` when the committed file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateSchemaSource } from './schema-source.ts';

const target = fileURLToPath(new URL('../src/schema.d.ts', import.meta.url));
writeFileSync(target, await generateSchemaSource());
process.stdout.write(`wrote ${target}\n`);
