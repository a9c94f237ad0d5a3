/**
 * The filter builder: conditions on the table's columns, ANDed, written as the PQL JSON that explore and
 * source connections take as `filters` (flow-service-api.md §3.3). The JSON is shown as it is sent.
 */
import { useState } from 'react';
import type { ExploreColumn } from '../model.ts';

export interface Condition {
  column: string;
  operator: string;
  value: string;
}

export interface PqlFilter {
  type: 'PQL';
  format: 'pql/json';
  value: unknown;
}

const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'like', 'in', 'isNull'] as const;
const NUMERIC = new Set(['integer', 'long', 'double', 'decimal', 'number']);

function literal(column: ExploreColumn | undefined, text: string): string | number | boolean {
  if (column !== undefined && NUMERIC.has(column.type) && text.trim() !== '' && Number.isFinite(Number(text)))
    return Number(text);
  if (column?.type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export function toPql(
  conditions: readonly Condition[],
  columns: readonly ExploreColumn[],
): PqlFilter | undefined {
  const nodes = conditions
    .filter((condition) => condition.column !== '')
    .map((condition) => {
      const column = columns.find((candidate) => candidate.name === condition.column);
      const field = { nodeType: 'fieldLookup', fieldName: condition.column };
      if (condition.operator === 'isNull') return { nodeType: 'fnApply', fnName: 'isNull', params: [field] };
      const value =
        condition.operator === 'in'
          ? condition.value.split(',').map((part) => literal(column, part.trim()))
          : literal(column, condition.value);
      return {
        nodeType: 'fnApply',
        fnName: condition.operator,
        params: [field, { nodeType: 'literal', value }],
      };
    });
  if (nodes.length === 0) return undefined;
  return {
    type: 'PQL',
    format: 'pql/json',
    value: nodes.length === 1 ? nodes[0] : { nodeType: 'fnApply', fnName: 'and', params: nodes },
  };
}

/** base64 of the UTF-8 JSON, as explore's `filters` parameter takes it. */
export function encodeFilter(filter: PqlFilter): string {
  const bytes = new TextEncoder().encode(JSON.stringify(filter));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function FilterBuilder({
  columns,
  onApply,
}: {
  columns: readonly ExploreColumn[];
  onApply: (filter: PqlFilter | undefined) => void;
}) {
  const [conditions, setConditions] = useState<Condition[]>([]);
  const update = (index: number, change: Partial<Condition>): void => {
    setConditions(conditions.map((condition, i) => (i === index ? { ...condition, ...change } : condition)));
  };
  const filter = toPql(conditions, columns);
  return (
    <fieldset className="filters">
      <legend>Filter rows</legend>
      {conditions.map((condition, index) => (
        <div key={index} className="condition" role="group" aria-label={`Condition ${index + 1}`}>
          <label>
            Column
            <select
              value={condition.column}
              onChange={(e) => {
                update(index, { column: e.target.value });
              }}
            >
              {columns.map((column) => (
                <option key={column.name}>{column.name}</option>
              ))}
            </select>
          </label>
          <label>
            Operator
            <select
              value={condition.operator}
              onChange={(e) => {
                update(index, { operator: e.target.value });
              }}
            >
              {OPERATORS.map((operator) => (
                <option key={operator}>{operator}</option>
              ))}
            </select>
          </label>
          {condition.operator === 'isNull' ? null : (
            <label>
              Value
              <input
                value={condition.value}
                onChange={(e) => {
                  update(index, { value: e.target.value });
                }}
              />
            </label>
          )}
          <button
            type="button"
            onClick={() => {
              setConditions(conditions.filter((_, i) => i !== index));
            }}
          >
            Remove condition {index + 1}
          </button>
        </div>
      ))}
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            setConditions([...conditions, { column: columns[0]?.name ?? '', operator: '=', value: '' }]);
          }}
        >
          Add condition
        </button>
        <button
          type="button"
          onClick={() => {
            onApply(filter);
          }}
        >
          Apply filter
        </button>
      </div>
      {filter === undefined ? null : (
        <details>
          <summary>PQL filters</summary>
          <pre aria-label="PQL filters">{JSON.stringify(filter, null, 2)}</pre>
        </details>
      )}
    </fieldset>
  );
}
