/**
 * A form rendered from a JSON Schema of a spec (authSpec[].spec, sourceSpec.spec), with rjsf:
 * `title`/`description` become labels and help; `format: password` fields are password inputs that are
 * never pre-filled (a stored secret comes back masked, so editing starts empty and empty means "keep");
 * the API's per-field errors (report.fields) are shown beside their fields.
 */
import Form from '@rjsf/core';
import type { ErrorSchema, RJSFSchema, UiSchema } from '@rjsf/utils';
import type { ReactNode } from 'react';
import type { JsonSchema } from '../model.ts';
import { specValidator } from './spec-validator.ts';

type Data = Record<string, unknown>;

/** The secret (format: password) property names of a flat object schema. */
export const secretFields = (schema: JsonSchema): string[] =>
  Object.entries(schema.properties ?? {})
    .filter(([, property]) => property.format === 'password')
    .map(([name]) => name);

function uiSchemaOf(schema: JsonSchema): UiSchema<Data> {
  const ui: UiSchema<Data> = { 'ui:submitButtonOptions': { norender: true } };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    ui[name] =
      property.format === 'password'
        ? { 'ui:widget': 'password', 'ui:autocomplete': 'off', 'ui:title': property.title ?? name }
        : { 'ui:title': property.title ?? name };
  }
  return ui;
}

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

export function SpecForm({
  id,
  schema,
  formData,
  onChange,
  extraErrors,
  children,
}: {
  id: string;
  schema: JsonSchema;
  formData: Data;
  onChange: (data: Data) => void;
  extraErrors?: ErrorSchema<Data> | undefined;
  children?: ReactNode;
}) {
  const { $schema: _ignored, ...rest } = schema;
  return (
    <Form<Data, RJSFSchema>
      idPrefix={id}
      tagName="div"
      schema={{ ...rest, title: '' } as RJSFSchema}
      uiSchema={uiSchemaOf(schema)}
      validator={specValidator}
      formData={formData}
      onChange={(event) => {
        onChange(event.formData ?? {});
      }}
      showErrorList={false}
      noHtml5Validate
      {...(extraErrors === undefined ? {} : { extraErrors })}
    >
      {children}
    </Form>
  );
}
