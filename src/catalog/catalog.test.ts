import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { connectorModules } from '../connectors/registry.ts';
import { AppError } from '../domain/errors.ts';
import { createCatalog } from './catalog.ts';
import { createAjv } from './validation.ts';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** The shape every connectionSpec must have (Adobe's ConnectionSpecItemDTO, the parts Sluice relies on). */
const connectionSpecMetaSchema = {
  type: 'object',
  required: ['id', 'name', 'providerId', 'version', 'authSpec', 'sourceSpec', 'exploreSpec', 'attributes'],
  properties: {
    id: { type: 'string', pattern: UUID },
    name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$' },
    providerId: { type: 'string', pattern: UUID },
    version: { type: 'string', pattern: '^\\d+\\.\\d+$' },
    authSpec: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'type', 'spec'],
        properties: {
          name: { type: 'string', minLength: 1 },
          type: { type: 'string', minLength: 1 },
          spec: {
            type: 'object',
            required: ['type', 'properties'],
            properties: { type: { const: 'object' } },
          },
        },
      },
    },
    sourceSpec: {
      type: 'object',
      required: ['spec'],
      properties: {
        spec: {
          type: 'object',
          required: ['properties'],
          properties: { required: { contains: { const: 'tableName' } } },
        },
      },
    },
    exploreSpec: { type: 'object', required: ['name', 'type'], properties: { type: { const: 'Tabular' } } },
    attributes: {
      type: 'object',
      required: ['category', 'isSource'],
      properties: { isSource: { const: true }, isDraftModeSupported: { type: 'boolean' } },
    },
  },
};

const connectorsDir = fileURLToPath(new URL('../connectors/', import.meta.url));

describe('connection spec catalogue', () => {
  const specs = connectorModules.map((module) => module.spec);

  it('registers every connector folder, and only those', () => {
    const folders = readdirSync(connectorsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(connectorsDir, entry.name, 'spec.json')))
      .map((entry) => entry.name)
      .sort();
    expect(specs.map((spec) => spec.name).sort()).toEqual(folders);
  });

  it('validates every spec against the meta-schema and compiles its schemas strictly', () => {
    const meta = new Ajv({ allErrors: true }).compile(connectionSpecMetaSchema);
    for (const spec of specs) {
      expect(meta(spec), `${spec.name}: ${JSON.stringify(meta.errors)}`).toBe(true);
      const ajv = createAjv();
      for (const auth of spec.authSpec)
        expect(() => ajv.compile(auth.spec), `${spec.name}/${auth.name}`).not.toThrow();
    }
  });

  it('has unique ids and names, and marks every credential as a secret', () => {
    expect(new Set(specs.map((spec) => spec.id)).size).toBe(specs.length);
    expect(new Set(specs.map((spec) => spec.name)).size).toBe(specs.length);
    for (const spec of specs) {
      const secrets = spec.authSpec.flatMap((auth) =>
        Object.entries((auth.spec['properties'] ?? {}) as Record<string, { format?: string }>)
          .filter(([, property]) => property.format === 'password')
          .map(([name]) => name),
      );
      expect(secrets.length, spec.name).toBeGreaterThan(0);
    }
  });

  it('gives a connector for every spec', () => {
    for (const module of connectorModules) {
      expect(module.create({ schemaSampleSize: 10 }).specId).toBe(module.spec.id);
    }
  });
});

describe('auth param validation messages', () => {
  const catalog = createCatalog({
    connectionSpecs: connectorModules.map((module) => module.spec),
    flowSpecs: [],
  });
  const validator = catalog.authValidator(
    'e9d7ec6b-0873-4e57-ad21-b3a7c65e310b',
    'Access Token Authentication',
  );
  const failure = (params: unknown): AppError => {
    try {
      validator.assert(params, 'auth.params');
    } catch (error) {
      if (error instanceof AppError) return error;
    }
    throw new Error('expected a validation error');
  };

  it('names each missing field', () => {
    const error = failure({ domain: 'https://x', clusterId: 'c' });
    expect(error.code).toBe('CONNECTOR-1304-400');
    expect(error.message).toContain("'auth.params.accessToken'");
    expect(error.message).toContain("'auth.params.database'");
  });

  it('names wrong types without echoing the value', () => {
    const error = failure({ domain: 'https://x', clusterId: 'c', accessToken: 12345678, database: 'd' });
    expect(error.code).toBe('CONNECTOR-1312-400');
    expect(error.message).toContain('auth.params.accessToken');
    expect(error.message).not.toContain('12345678');
  });
});
