/**
 * The PQL row filter (flow-service-api.md §3.3), shared by every connector: decoding the `filters=`
 * parameter, a structural check, a check against a table's columns, and in-memory evaluation with
 * SQL's three-valued semantics (what a connector uses where it cannot push the filter down).
 *
 * A tree accepted by `parseFilter` always has this shape, so connectors may rely on it:
 * - `and`/`or`: one or more boolean operands; `NOT`: exactly one boolean operand;
 * - `=`, `!=`, `<`, `<=`, `>`, `>=`, `like`: `[fieldLookup, literal]` with a non-null scalar literal
 *   (`like`: a string pattern, `%` any run, `_` one character, `\` escapes the next character);
 * - `in`: `[fieldLookup, literal]` with a non-empty array of scalars; `isNull`: `[fieldLookup]`.
 */
import { AppError } from '../domain/errors.ts';
import type { ColumnSchema, NormalizedType, Row } from './connector.ts';
import type {
  ApplyNode,
  FilterFunction,
  FilterLiteralValue,
  FilterNode,
  LiteralNode,
} from './filter-types.ts';
import { compareRowValues as compareValues, toDecimalString, toIsoDateTime } from './values.ts';

const LOGICAL = new Set<FilterFunction>(['and', 'or', 'NOT']);
const COMPARISON = new Set<FilterFunction>(['=', '!=', '<', '<=', '>', '>=', 'like']);
const FUNCTIONS = new Set<string>([...LOGICAL, ...COMPARISON, 'in', 'isNull']);

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decodes the explore `filters=` parameter: base64 (standard or URL-safe) of the PQL envelope. */
export function decodeFilterParameter(base64: string): FilterNode {
  // A `+` that travelled unescaped in a query string arrives as a space.
  const text = base64.trim().replace(/ /g, '+');
  if (text === '' || !BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) {
    throw new AppError('CONNECTOR-1389-400', 'The filters parameter is not valid base64.');
  }
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64').toString('utf8'),
    );
  } catch {
    throw new AppError(
      'CONNECTOR-1389-400',
      'The filters parameter decodes to text that is not JSON; expected base64 of {"type":"PQL","format":"pql/json","value":{...}}.',
    );
  }
  return parseFilter(json);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function invalid(path: string, message: string): AppError {
  return new AppError('CONNECTOR-1349-400', `Invalid filter at ${path}: ${message}`, { path });
}

/** Structural check of a PQL tree (the envelope or a bare node); returns a clean copy. */
export function parseFilter(json: unknown): FilterNode {
  if (isObject(json) && !('nodeType' in json) && ('value' in json || 'type' in json || 'format' in json)) {
    if (json.type !== 'PQL') throw invalid('$.type', `expected "PQL", got ${describe(json.type)}`);
    if (json.format !== 'pql/json')
      throw invalid('$.format', `expected "pql/json", got ${describe(json.format)}`);
    return parseCondition(json.value, '$.value');
  }
  return parseCondition(json, '$');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}

/** A node that yields a boolean: only fnApply nodes do. */
function parseCondition(json: unknown, path: string): ApplyNode {
  if (!isObject(json)) throw invalid(path, `expected a filter node object, got ${describe(json)}`);
  const { nodeType } = json;
  if (nodeType === 'fieldLookup' || nodeType === 'literal') {
    throw invalid(
      path,
      `a ${nodeType} is not a condition; expected an fnApply node (and, or, NOT, =, in, ...)`,
    );
  }
  if (nodeType !== 'fnApply') {
    throw invalid(path, `nodeType must be "fnApply", "fieldLookup" or "literal", got ${describe(nodeType)}`);
  }
  const { fnName, params } = json;
  if (typeof fnName !== 'string' || !FUNCTIONS.has(fnName)) {
    throw invalid(
      `${path}.fnName`,
      `unknown function ${describe(fnName)}; known: ${[...FUNCTIONS].join(', ')}`,
    );
  }
  const fn = fnName as FilterFunction;
  if (!Array.isArray(params))
    throw invalid(`${path}.params`, `expected an array of operands, got ${describe(params)}`);
  const at = (i: number): string => `${path}.params[${i}]`;

  if (fn === 'NOT' && params.length !== 1) {
    throw new AppError(
      'CONNECTOR-1390-400',
      `Invalid filter at ${path}: NOT takes exactly one operand, got ${params.length}; combine conditions with and/or inside NOT.`,
      { path },
    );
  }
  if (LOGICAL.has(fn)) {
    if (params.length === 0) throw invalid(`${path}.params`, `${fn} needs at least one operand`);
    return { nodeType: 'fnApply', fnName: fn, params: params.map((p, i) => parseCondition(p, at(i))) };
  }
  const arity = fn === 'isNull' ? 1 : 2;
  if (params.length !== arity) {
    throw invalid(
      `${path}.params`,
      `${fn} takes ${arity === 1 ? 'one operand' : 'two operands'}, got ${params.length}`,
    );
  }
  const field = parseField(params[0], at(0), fn);
  if (fn === 'isNull') return { nodeType: 'fnApply', fnName: fn, params: [field] };
  return { nodeType: 'fnApply', fnName: fn, params: [field, parseLiteral(params[1], at(1), fn)] };
}

function parseField(json: unknown, path: string, fn: FilterFunction): FilterNode {
  if (!isObject(json) || json.nodeType !== 'fieldLookup') {
    throw invalid(path, `the first operand of ${fn} must be a fieldLookup node, got ${nodeKind(json)}`);
  }
  if (typeof json.fieldName !== 'string' || json.fieldName === '') {
    throw invalid(`${path}.fieldName`, 'expected a non-empty column name');
  }
  return { nodeType: 'fieldLookup', fieldName: json.fieldName };
}

function nodeKind(json: unknown): string {
  return isObject(json) && typeof json.nodeType === 'string' ? `a ${json.nodeType} node` : describe(json);
}

const isScalar = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

function parseLiteral(json: unknown, path: string, fn: FilterFunction): LiteralNode {
  if (!isObject(json) || json.nodeType !== 'literal') {
    throw invalid(path, `the second operand of ${fn} must be a literal node, got ${nodeKind(json)}`);
  }
  const { value } = json;
  const valuePath = `${path}.value`;
  if (fn === 'in') {
    if (!Array.isArray(value) || value.length === 0) {
      throw invalid(valuePath, `in needs a non-empty array of values, got ${describe(value)}`);
    }
    const items: (string | number | boolean)[] = [];
    value.forEach((item: unknown, i) => {
      if (!isScalar(item))
        throw invalid(`${valuePath}[${i}]`, `expected a string, number or boolean, got ${describe(item)}`);
      items.push(item);
    });
    return { nodeType: 'literal', value: items };
  }
  if (value === null || value === undefined) {
    throw invalid(
      valuePath,
      `${fn} cannot compare with null (comparisons with null are never true); use isNull`,
    );
  }
  if (!isScalar(value))
    throw invalid(valuePath, `expected a string, number or boolean, got ${describe(value)}`);
  if (fn === 'like' && typeof value !== 'string') throw invalid(valuePath, 'like needs a string pattern');
  return { nodeType: 'literal', value };
}

/** Every column the filter reads, in order of first appearance. */
export function filterColumns(node: FilterNode): string[] {
  const names = new Set<string>();
  const visit = (n: FilterNode): void => {
    if (n.nodeType === 'fieldLookup') names.add(n.fieldName);
    else if (n.nodeType === 'fnApply') n.params.forEach(visit);
  };
  visit(node);
  return [...names];
}

/** Checks a parsed tree against a table's columns: names exist, literals fit the column types. */
export function validateFilter(node: FilterNode, columns: readonly ColumnSchema[]): void {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const visit = (n: FilterNode): void => {
    if (n.nodeType !== 'fnApply') return;
    if (LOGICAL.has(n.fnName)) {
      n.params.forEach(visit);
      return;
    }
    const [field, literal] = n.params;
    if (field?.nodeType !== 'fieldLookup') return;
    const col = byName.get(field.fieldName);
    if (col === undefined) {
      const near = columns.find((c) => c.name.toLowerCase() === field.fieldName.toLowerCase());
      throw new AppError(
        'CONNECTOR-1377-400',
        `The filter refers to column "${field.fieldName}", which the table does not have` +
          (near === undefined ? '' : ` (column names are case-sensitive; did you mean "${near.name}"?)`) +
          `. Known columns: ${columns.map((c) => c.name).join(', ')}.`,
        { column: field.fieldName },
      );
    }
    if (literal?.nodeType !== 'literal') return;
    const problem = literalFits(n.fnName, col.type, literal.value);
    if (problem !== undefined) {
      throw new AppError(
        'CONNECTOR-1378-400',
        `Filter ${n.fnName} on column "${col.name}" (${col.type}): ${problem}.`,
        {
          column: col.name,
        },
      );
    }
  };
  visit(node);
}

type Truth = boolean | null;

/**
 * SQL semantics: a comparison involving a null (or an incomparable value) is unknown; NOT unknown is
 * unknown; and/or follow Kleene logic; a row passes only if the whole filter is true.
 */
export function evaluateFilter(node: FilterNode, row: Row, columns: readonly ColumnSchema[]): boolean {
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const evaluate = (n: FilterNode): Truth => {
    if (n.nodeType !== 'fnApply') return null;
    switch (n.fnName) {
      case 'and': {
        let result: Truth = true;
        for (const p of n.params) {
          const v = evaluate(p);
          if (v === false) return false;
          if (v === null) result = null;
        }
        return result;
      }
      case 'or': {
        let result: Truth = false;
        for (const p of n.params) {
          const v = evaluate(p);
          if (v === true) return true;
          if (v === null) result = null;
        }
        return result;
      }
      case 'NOT': {
        const [operand] = n.params;
        const v = operand === undefined ? null : evaluate(operand);
        return v === null ? null : !v;
      }
      default:
        return evaluateLeaf(n, row, types);
    }
  };
  return evaluate(node) === true;
}

function evaluateLeaf(n: ApplyNode, row: Row, types: ReadonlyMap<string, ColumnSchema['type']>): Truth {
  const [field, literal] = n.params;
  if (field?.nodeType !== 'fieldLookup') return null;
  const value = row[field.fieldName] ?? null;
  if (n.fnName === 'isNull') return value === null;
  if (value === null || literal?.nodeType !== 'literal' || literal.value === null) return null;
  const type = types.get(field.fieldName);
  if (n.fnName === 'like') {
    return typeof value === 'string' && typeof literal.value === 'string'
      ? likeToRegExp(literal.value).test(value)
      : null;
  }
  if (n.fnName === 'in') {
    if (!Array.isArray(literal.value)) return null;
    let result: Truth = false;
    for (const item of literal.value as readonly (string | number | boolean)[]) {
      const c = compareValues(type, value, item);
      if (c === 0) return true;
      if (c === null) result = null;
    }
    return result;
  }
  const c = compareValues(type, value, literal.value as string | number | boolean);
  if (c === null) return null;
  switch (n.fnName) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default:
      return null;
  }
}

const ORDERING = new Set<FilterFunction>(['<', '<=', '>', '>=']);

/** Why a literal cannot be compared with a column of `type` under `fn`, or undefined if it can. */
function literalFits(
  fn: FilterFunction,
  type: NormalizedType,
  value: FilterLiteralValue,
): string | undefined {
  if (fn === 'like' && type !== 'string') return 'like applies only to string columns';
  if (ORDERING.has(fn) && (type === 'boolean' || type === 'binary')) return `${type} values have no order`;
  const items: readonly (string | number | boolean | null)[] = Array.isArray(value)
    ? (value as readonly (string | number | boolean)[])
    : [value as string | number | boolean | null];
  for (const item of items) {
    const problem = scalarFits(type, item);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function scalarFits(type: NormalizedType, v: string | number | boolean | null): string | undefined {
  const got = typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `the ${typeof v} ${String(v)}`;
  switch (type) {
    case 'string':
      return typeof v === 'string' ? undefined : `expected a string, got ${got}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected true or false, got ${got}`;
    case 'integer':
    case 'double':
      if (typeof v !== 'number') return `expected a number, got ${got}`;
      return type === 'integer' && !Number.isInteger(v) ? `expected a whole number, got ${got}` : undefined;
    case 'long':
      if (typeof v === 'number') {
        if (!Number.isInteger(v)) return `expected a whole number, got ${got}`;
        return Number.isSafeInteger(v)
          ? undefined
          : `${got} is beyond 2^53 and lost precision in JSON; write it as a string of digits`;
      }
      return typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())
        ? undefined
        : `expected a whole number, got ${got}`;
    case 'decimal':
      return typeof v === 'number' || (typeof v === 'string' && toDecimalString(v) !== undefined)
        ? undefined
        : `expected a number or a decimal string, got ${got}`;
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && toIsoDateTime(v) !== undefined
        ? undefined
        : `expected a date as "YYYY-MM-DD", got ${got}`;
    case 'date-time':
      return typeof v === 'string' && toIsoDateTime(v) !== undefined
        ? undefined
        : `expected an ISO-8601 date-time such as "2024-01-31T12:00:00Z", got ${got}`;
    case 'binary':
      return typeof v === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(v) && v.length % 4 === 0
        ? undefined
        : `expected base64 text, got ${got}`;
  }
}

const likeCache = new Map<string, RegExp>();

/** SQL LIKE as an anchored regular expression: `%` any run, `_` one character, `\` escapes. */
export function likeToRegExp(pattern: string): RegExp {
  const cached = likeCache.get(pattern);
  if (cached !== undefined) return cached;
  let source = '';
  const chars = Array.from(pattern); // code points, so `_` matches one character
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '\\' && i + 1 < chars.length) {
      source += escapeRegExp(chars[++i] ?? '');
    } else if (c === '%') source += '.*';
    else if (c === '_') source += '.';
    else source += escapeRegExp(c);
  }
  const regexp = new RegExp(`^${source}$`, 'su');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(pattern, regexp);
  return regexp;
}

const escapeRegExp = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
