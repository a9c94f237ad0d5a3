/**
 * The row filter of explore previews and source connections: Adobe's PQL JSON tree
 * (`{"type":"PQL","format":"pql/json","value": <node>}`), see flow-service-api.md §3.3.
 */
export type FilterFunction =
  'and' | 'or' | 'NOT' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'in' | 'isNull';

export type FilterLiteralValue = string | number | boolean | null | readonly (string | number | boolean)[];

export interface FieldLookupNode {
  readonly nodeType: 'fieldLookup';
  readonly fieldName: string;
}

export interface LiteralNode {
  readonly nodeType: 'literal';
  readonly value: FilterLiteralValue;
}

export interface ApplyNode {
  readonly nodeType: 'fnApply';
  readonly fnName: FilterFunction;
  readonly params: readonly FilterNode[];
}

export type FilterNode = ApplyNode | FieldLookupNode | LiteralNode;

export interface FilterEnvelope {
  readonly type: 'PQL';
  readonly format: 'pql/json';
  readonly value: FilterNode;
}
