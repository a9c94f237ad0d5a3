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

export { fieldErrors, secretFields } from './spec-fields.ts';

type Data = Record<string, unknown>;

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
