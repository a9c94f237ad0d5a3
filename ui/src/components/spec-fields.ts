/** Field helpers of the spec forms that need no form library (kept apart so they load and test alone). */
import type { ErrorSchema } from '@rjsf/utils';
import type { JsonSchema } from '../model.ts';

type Data = Record<string, unknown>;

/** The secret (format: password) property names of a flat object schema. */
export const secretFields = (schema: JsonSchema): string[] =>
  Object.entries(schema.properties ?? {})
    .filter(([, property]) => property.format === 'password')
    .map(([name]) => name);

/** Turns the API's report.fields (e.g. `auth.params.domain`) into rjsf extra errors under `prefix`. */
export function fieldErrors(fields: readonly string[], prefix: string, message: string): ErrorSchema<Data> {
  const errors: Record<string, { __errors: string[] }> = {};
  for (const field of fields) {
    if (!field.startsWith(`${prefix}.`)) continue;
    const name = field.slice(prefix.length + 1).split('.')[0] ?? '';
    errors[name] = { __errors: [message] };
  }
  return errors;
}
