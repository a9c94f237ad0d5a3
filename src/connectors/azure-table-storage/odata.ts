/**
 * PQL filter → OData `$filter` for Azure Table Storage.
 *
 * Guarantee: the OData predicate is never stricter than the PQL filter — every entity the PQL filter
 * accepts (with SQL semantics, evaluated on the `Row`) is returned by Azure — so the connector pushes
 * it down and then evaluates the whole PQL filter in memory on what comes back. `exact` says the
 * predicate also rejects everything the PQL filter rejects, so the service's page is already the answer.
 *
 * Why this holds: Azure evaluates a comparison on a missing property (SQL's null) as false and applies
 * `not`/`and`/`or` classically; under Kleene logic a definitely-true SQL result stays true for any
 * true/false choice of its unknown leaves, so Azure returns it. Leaves Azure cannot judge the same way
 * are left out (a dropped conjunct only widens an `and`; an `or` or `not` over one is dropped whole):
 * `like`, `isNull`, columns whose values mix EDM types, Guid and Binary columns, string ordering (Azure
 * orders UTF-16 units, PQL code points) and sub-millisecond date-times (widened to the millisecond).
 */
import type { ColumnSchema } from '../connector.ts';
import type { FilterNode } from '../filter-types.ts';
import { toDecimalString, toIsoDateTime } from '../values.ts';
import { isUniformColumn } from './schema.ts';

export interface ODataFilter {
  /** The `$filter` text, or undefined when nothing could be pushed down. */
  readonly filter?: string;
  /** The predicate accepts exactly the rows the PQL filter accepts. */
  readonly exact: boolean;
}

interface Translation {
  readonly text: string;
  readonly exact: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OPS: Readonly<Record<string, string>> = {
  '=': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
};

export function toODataFilter(node: FilterNode, columns: readonly ColumnSchema[]): ODataFilter {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const t = translate(node, byName);
  return t === undefined ? { exact: false } : { filter: t.text, exact: t.exact };
}

function translate(node: FilterNode, columns: ReadonlyMap<string, ColumnSchema>): Translation | undefined {
  if (node.nodeType !== 'fnApply') return undefined;
  switch (node.fnName) {
    case 'and': {
      const parts = node.params.map((p) => translate(p, columns));
      const kept = parts.filter((p): p is Translation => p !== undefined);
      if (kept.length === 0) return undefined;
      return {
        text: kept.length === 1 ? (kept[0]?.text ?? '') : kept.map((p) => `(${p.text})`).join(' and '),
        exact: kept.length === parts.length && kept.every((p) => p.exact),
      };
    }
    case 'or': {
      const parts = node.params.map((p) => translate(p, columns));
      if (parts.some((p) => p === undefined)) return undefined;
      const kept = parts as Translation[];
      return {
        text: kept.length === 1 ? (kept[0]?.text ?? '') : kept.map((p) => `(${p.text})`).join(' or '),
        exact: kept.every((p) => p.exact),
      };
    }
    case 'NOT': {
      const [operand] = node.params;
      const inner = operand === undefined ? undefined : translate(operand, columns);
      // Negating a wider predicate would make it narrower, so only an exact one may be negated.
      if (inner === undefined || !inner.exact) return undefined;
      // Azure's `not` over a missing property is true where SQL says unknown: wider, hence inexact.
      return { text: `not (${inner.text})`, exact: false };
    }
    case 'in': {
      const [field, literal] = node.params;
      if (
        field?.nodeType !== 'fieldLookup' ||
        literal?.nodeType !== 'literal' ||
        !Array.isArray(literal.value)
      ) {
        return undefined;
      }
      const items = (literal.value as readonly (string | number | boolean)[]).map((v) =>
        comparison(field.fieldName, '=', v, columns),
      );
      if (items.length === 0 || items.some((i) => i === undefined)) return undefined;
      const kept = items as Translation[];
      return {
        text: kept.length === 1 ? (kept[0]?.text ?? '') : kept.map((i) => `(${i.text})`).join(' or '),
        exact: kept.every((i) => i.exact),
      };
    }
    case 'like':
    case 'isNull':
      return undefined;
    default: {
      const [field, literal] = node.params;
      if (field?.nodeType !== 'fieldLookup' || literal?.nodeType !== 'literal') return undefined;
      const value = literal.value;
      if (value === null || Array.isArray(value)) return undefined;
      return comparison(field.fieldName, node.fnName, value as string | number | boolean, columns);
    }
  }
}

function comparison(
  name: string,
  fn: string,
  value: string | number | boolean,
  columns: ReadonlyMap<string, ColumnSchema>,
): Translation | undefined {
  const col = columns.get(name);
  const op = OPS[fn];
  if (col === undefined || op === undefined || !IDENTIFIER.test(name) || !isUniformColumn(col))
    return undefined;
  const original = col.meta?.originalType;
  switch (col.type) {
    case 'string':
      if (original !== 'Edm.String' || typeof value !== 'string') return undefined;
      if (op !== 'eq' && op !== 'ne') return undefined;
      return { text: `${name} ${op} '${value.replace(/'/g, "''")}'`, exact: true };
    case 'boolean':
      return typeof value === 'boolean' && (op === 'eq' || op === 'ne')
        ? { text: `${name} ${op} ${String(value)}`, exact: true }
        : undefined;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
        ? { text: `${name} ${op} ${String(value)}`, exact: true }
        : undefined;
    case 'long': {
      const digits = typeof value === 'boolean' ? undefined : toDecimalString(value);
      return digits !== undefined && /^-?\d+$/.test(digits)
        ? { text: `${name} ${op} ${digits}L`, exact: true }
        : undefined;
    }
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
      const text = toDecimalString(value) ?? String(value);
      return { text: `${name} ${op} ${text.includes('.') ? text : `${text}.0`}`, exact: true };
    }
    case 'date-time':
      return typeof value === 'string' ? dateTimeComparison(name, op, value) : undefined;
    default:
      return undefined;
  }
}

/** Azure (and Azurite) compare at their own precision; a sub-millisecond literal is widened to its millisecond. */
function dateTimeComparison(name: string, op: string, value: string): Translation | undefined {
  const iso = toIsoDateTime(value);
  if (iso === undefined) return undefined;
  const ms = /\.(\d{3})(\d{3})?Z$/.exec(iso);
  const subMillisecond = ms?.[2] !== undefined && ms[2] !== '000';
  const floor = `${iso.slice(0, 23)}Z`;
  if (!subMillisecond) return { text: `${name} ${op} datetime'${floor}'`, exact: true };
  const ceil = new Date(Date.parse(floor) + 1).toISOString();
  switch (op) {
    case 'gt':
    case 'ge':
      return { text: `${name} ge datetime'${floor}'`, exact: false };
    case 'lt':
    case 'le':
      return { text: `${name} le datetime'${ceil}'`, exact: false };
    case 'eq':
      return { text: `(${name} ge datetime'${floor}') and (${name} le datetime'${ceil}')`, exact: false };
    default:
      return undefined;
  }
}
