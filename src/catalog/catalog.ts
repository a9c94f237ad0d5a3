/**
 * connectionSpecs and flowSpecs as data. Specs are global (not tenant-scoped) and immutable while the
 * server runs; every JSON Schema inside them is compiled once here.
 */
import type { AuthSpec, ConnectionSpec, FlowSpec } from '../domain/specs.ts';
import { compileValidator, createAjv, type SchemaValidator } from './validation.ts';

export interface Catalog {
  readonly connectionSpecs: readonly ConnectionSpec[];
  readonly flowSpecs: readonly FlowSpec[];
  connectionSpec(id: string): ConnectionSpec | undefined;
  flowSpec(id: string): FlowSpec | undefined;
  authSpec(spec: ConnectionSpec, name: string): AuthSpec | undefined;
  /** The validator of one auth spec's params. */
  authValidator(specId: string, authSpecName: string): SchemaValidator;
  /** The validator of a sourceConnection's params for this spec, if the spec is a source. */
  sourceValidator(specId: string): SchemaValidator | undefined;
  /** Validate any schema the catalog did not compile up front (e.g. a flow spec's scheduleSpec). */
  validator(key: string, schema: Readonly<Record<string, unknown>>): SchemaValidator;
}

export function createCatalog(input: {
  connectionSpecs: readonly ConnectionSpec[];
  flowSpecs: readonly FlowSpec[];
}): Catalog {
  const ajv = createAjv();
  const validators = new Map<string, SchemaValidator>();
  const connectionSpecs = new Map(input.connectionSpecs.map((spec) => [spec.id, spec]));
  const flowSpecs = new Map(input.flowSpecs.map((spec) => [spec.id, spec]));
  if (connectionSpecs.size !== input.connectionSpecs.length) throw new Error('duplicate connectionSpec id');
  if (flowSpecs.size !== input.flowSpecs.length) throw new Error('duplicate flowSpec id');

  const cached = (key: string, schema: Readonly<Record<string, unknown>>): SchemaValidator => {
    let validator = validators.get(key);
    if (validator === undefined) {
      validator = compileValidator(ajv, schema);
      validators.set(key, validator);
    }
    return validator;
  };

  // Compile every auth and source schema now, so a broken spec fails at start, not on a request.
  for (const spec of input.connectionSpecs) {
    for (const auth of spec.authSpec) cached(`auth:${spec.id}:${auth.name}`, auth.spec);
    if (spec.sourceSpec) cached(`source:${spec.id}`, spec.sourceSpec.spec);
  }

  return {
    connectionSpecs: input.connectionSpecs,
    flowSpecs: input.flowSpecs,
    connectionSpec: (id) => connectionSpecs.get(id),
    flowSpec: (id) => flowSpecs.get(id),
    authSpec: (spec, name) => spec.authSpec.find((auth) => auth.name === name),
    authValidator(specId, authSpecName) {
      const spec = connectionSpecs.get(specId);
      const auth = spec?.authSpec.find((candidate) => candidate.name === authSpecName);
      if (!auth) throw new Error(`no auth spec ${authSpecName} for ${specId}`);
      return cached(`auth:${specId}:${authSpecName}`, auth.spec);
    },
    sourceValidator(specId) {
      const spec = connectionSpecs.get(specId);
      return spec?.sourceSpec ? cached(`source:${specId}`, spec.sourceSpec.spec) : undefined;
    },
    validator: cached,
  };
}
