/**
 * Ajv set up once for every JSON Schema the catalog ships (auth specs, source specs, schedule and
 * transformation specs). Errors are translated into messages that name the field and say what to fix,
 * and never echo the offending value (it may be a secret).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { AppError } from '../domain/errors.ts';
import type { JsonSchema } from '../domain/specs.ts';

// ajv-formats is CommonJS; under Node's ESM loader its default export is the plugin function itself.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
  addFormats(ajv);
  // Adobe marks secrets with format "password"; any string is a valid password.
  ajv.addFormat('password', true);
  return ajv;
}

const fieldOf = (prefix: string, error: ErrorObject): string => {
  const pointer = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required')
    pointer.push((error.params as { missingProperty: string }).missingProperty);
  if (error.keyword === 'additionalProperties') {
    pointer.push((error.params as { additionalProperty: string }).additionalProperty);
  }
  return [prefix, ...pointer].filter(Boolean).join('.');
};

function describe(error: ErrorObject, schemaAt: (path: string) => JsonSchema | undefined): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `must be of type ${String(params['type'])}`;
    case 'pattern': {
      const examples = schemaAt(error.schemaPath)?.['examples'];
      const example =
        Array.isArray(examples) && typeof examples[0] === 'string' ? `, e.g. ${examples[0]}` : '';
      return `does not have the expected format${example}`;
    }
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'additionalProperties':
      return 'is not a known field';
    case 'format':
      return `must be a valid ${String(params['format'])}`;
    case 'minLength':
      return Number(params['limit']) === 1
        ? 'must not be empty'
        : `must have at least ${String(params['limit'])} characters`;
    case 'maxLength':
      return `must have at most ${String(params['limit'])} characters`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${String(params['comparison'])} ${String(params['limit'])}`;
    case 'minItems':
      return `must have at least ${String(params['limit'])} items`;
    case 'not':
      return 'is not allowed here';
    default:
      return error.message ?? 'is invalid';
  }
}

export interface SchemaValidator {
  /** Throws AppError naming every problem; `prefix` is the field path of the validated object. */
  assert(value: unknown, prefix: string): void;
}

/** Compile a schema once; `assert` reports missing fields as CONNECTOR-1304 and other problems as CONNECTOR-1312. */
export function compileValidator(ajv: Ajv, schema: JsonSchema): SchemaValidator {
  const validate: ValidateFunction = ajv.compile(schema);
  const schemaAt = (schemaPath: string): JsonSchema | undefined => {
    let node: unknown = schema;
    for (const part of schemaPath.replace(/^#\//, '').split('/').slice(0, -1)) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node !== null && typeof node === 'object' ? (node as JsonSchema) : undefined;
  };
  return {
    assert(value, prefix) {
      if (validate(value)) return;
      const errors = (validate.errors ?? []).filter((error) => error.keyword !== 'if');
      const missing = errors.filter((error) => error.keyword === 'required');
      const problems = errors.map((error) => `'${fieldOf(prefix, error)}' ${describe(error, schemaAt)}`);
      const unique = [...new Set(problems)];
      const undeclared = errors.filter((error) => error.keyword === 'additionalProperties');
      if (undeclared.length > 0) {
        // Refused before anything is stored: an undeclared field is not known to be a secret, so it
        // would be stored and returned in the clear (a typo of a secret field's name, e.g. accountKey).
        const names = [...new Set(undeclared.map((error) => fieldOf(prefix, error)))];
        const declaredOf = (error: ErrorObject): string[] =>
          Object.keys(schemaAt(error.schemaPath)?.['properties'] ?? {});
        const refusals = [
          ...new Set(
            undeclared.map(
              (error) =>
                `'${fieldOf(prefix, error)}' is not declared by the spec (declared: ${declaredOf(error).join(', ') || 'none'})`,
            ),
          ),
        ];
        const others = [
          ...new Set(
            errors
              .filter((error) => error.keyword !== 'additionalProperties')
              .map((error) => `'${fieldOf(prefix, error)}' ${describe(error, schemaAt)}`),
          ),
        ];
        throw new AppError(
          'CONNECTOR-1318-400',
          `Undeclared field${names.length === 1 ? '' : 's'}: ${[...refusals, ...others].join('; ')}. Remove ${names.length === 1 ? 'it' : 'them'} or correct the name.`,
          { fields: names, declared: undeclared[0] === undefined ? [] : declaredOf(undeclared[0]) },
        );
      }
      if (missing.length > 0 && missing.length === errors.length) {
        const fields = [...new Set(missing.map((error) => fieldOf(prefix, error)))];
        throw new AppError(
          'CONNECTOR-1304-400',
          fields.length === 1
            ? `The mandatory field '${fields[0] ?? ''}' is not provided.`
            : `The mandatory fields ${fields.map((field) => `'${field}'`).join(', ')} are not provided.`,
          { fields },
        );
      }
      throw new AppError('CONNECTOR-1312-400', `Invalid value: ${unique.join('; ')}.`, {
        fields: [...new Set(errors.map((error) => fieldOf(prefix, error)))],
      });
    },
  };
}
