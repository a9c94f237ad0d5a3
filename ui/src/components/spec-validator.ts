/**
 * rjsf's validator over @cfworker/json-schema. Why not @rjsf/validator-ajv8: Ajv compiles each schema to
 * a function with `new Function`, which Studio's Content-Security-Policy (no 'unsafe-eval') forbids, and
 * the schemas arrive from the API at run time (a new connector folder adds its form), so they cannot be
 * precompiled at build time. @cfworker/json-schema interprets the schema (it was written for runtimes
 * without eval), supports draft-07 like the specs, and is small. The server validates again with Ajv.
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import {
  ErrorSchemaBuilder,
  type RJSFSchema,
  type RJSFValidationError,
  type ValidationData,
  type ValidatorType,
} from '@rjsf/utils';

type Data = Record<string, unknown>;

const COMPOSITE = new Set([
  'properties',
  'items',
  'allOf',
  'anyOf',
  'oneOf',
  '$ref',
  'additionalProperties',
  'if',
  'then',
  'else',
  'dependentSchemas',
]);

function run(schema: RJSFSchema, data: unknown): OutputUnit[] {
  const result = new Validator(schema as Schema, '7', false).validate(data ?? {});
  return result.valid ? [] : result.errors.filter((error) => !COMPOSITE.has(error.keyword));
}

const pathOf = (error: OutputUnit): string[] => {
  const parts = error.instanceLocation
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part !== '');
  const decoded = parts.map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'));
  const missing =
    error.keyword === 'required' ? /required property "([^"]+)"/.exec(error.error)?.[1] : undefined;
  return missing === undefined ? decoded : [...decoded, missing];
};

const messageOf = (error: OutputUnit): string =>
  error.keyword === 'required' ? 'is required' : error.error.replace(/^Instance /, '').replace(/\.$/, '');

export const specValidator: ValidatorType<Data> = {
  validateFormData(formData, schema): ValidationData<Data> {
    const builder = new ErrorSchemaBuilder<Data>();
    const errors: RJSFValidationError[] = run(schema, formData).map((error) => {
      const path = pathOf(error);
      const message = messageOf(error);
      builder.addErrors(message, path);
      const property = path.map((part) => `.${part}`).join('');
      return {
        name: error.keyword,
        message,
        property,
        stack: `${property.slice(1)} ${message}`,
        schemaPath: error.keywordLocation,
      };
    });
    return { errors, errorSchema: builder.ErrorSchema };
  },
  isValid(schema, formData, rootSchema) {
    const full = {
      ...schema,
      ...(rootSchema.definitions === undefined ? {} : { definitions: rootSchema.definitions }),
    };
    try {
      return run(full, formData).length === 0;
    } catch {
      return false;
    }
  },
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- rjsf's interface declares it
  rawValidation<Result>(schema: RJSFSchema, formData?: Data) {
    try {
      return { errors: run(schema, formData) as Result[] };
    } catch (error) {
      return { validationError: error as Error };
    }
  },
};
