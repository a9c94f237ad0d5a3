/**
 * Catalog documents, in Adobe's shapes (flow-service-api.md §3.1, §3.6). They are data shipped with the
 * code; the JSON Schemas inside them validate request bodies.
 */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface AuthSpec {
  readonly name: string;
  readonly type: string;
  readonly spec: JsonSchema;
}

export interface ConnectionSpec {
  readonly id: string;
  readonly name: string;
  readonly providerId: string;
  readonly version: string;
  readonly authSpec: readonly AuthSpec[];
  readonly sourceSpec?: {
    readonly name: string;
    readonly type: string;
    readonly spec: JsonSchema;
    readonly attributes?: JsonSchema;
  };
  readonly targetSpec?: { readonly name: string; readonly type: string; readonly spec: JsonSchema };
  readonly exploreSpec?: {
    readonly name: string;
    readonly type: string;
    readonly requestSpec?: JsonSchema;
    readonly responseSpec?: JsonSchema;
  };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly permissionsInfo?: JsonSchema;
}

export interface FlowSpec {
  readonly id: string;
  readonly name: string;
  readonly providerId: string;
  readonly version: string;
  readonly sourceConnectionSpecIds: readonly string[];
  readonly targetConnectionSpecIds: readonly string[];
  readonly optionSpec?: { readonly name: string; readonly spec: JsonSchema };
  readonly transformationSpecs: readonly { readonly name: string; readonly spec: JsonSchema }[];
  readonly scheduleSpec: { readonly name: string; readonly type: string; readonly spec: JsonSchema };
  readonly runSpec?: { readonly name: string; readonly spec: JsonSchema };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly permissionsInfo?: JsonSchema;
}
