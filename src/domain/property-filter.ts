/**
 * `property` filters (flow-service-api.md §2): `path OP value`, dotted paths with `[]` for arrays, `==`
 * and `!=` with comma lists, range operators on one value. Parsing is strict; evaluation runs on the
 * response representation of an entity. A filter on a known numeric field (or a range meeting a number)
 * must compare with a number: otherwise it would silently match nothing.
 */
import { AppError } from './errors.ts';

export type FilterOperator = '==' | '!=' | '>' | '<' | '>=' | '<=';

export interface PathSegment {
  readonly key: string;
  /** `name[]`: traverse the array's elements. */
  readonly each: boolean;
}

export interface PropertyFilter {
  readonly expression: string;
  readonly path: readonly PathSegment[];
  readonly operator: FilterOperator;
  readonly values: readonly string[];
}

const OPERATORS: readonly FilterOperator[] = ['==', '!=', '>=', '<=', '>', '<'];
const SEGMENT = /^([A-Za-z_$][\w$:@-]*)(\[\])?$/;

function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return trimmed.slice(1, -1);
  if (trimmed.length >= 2 && trimmed.startsWith("'") && trimmed.endsWith("'")) return trimmed.slice(1, -1);
  return trimmed;
}

/** Split a comma list, keeping commas inside quotes. */
function splitValues(raw: string): string[] {
  const values: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const char of raw) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ',') {
      values.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  values.push(current);
  return values.map(unquote);
}

const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

const notANumber = (path: string): AppError =>
  new AppError(
    'FLOW-1452-400',
    `The property filter on ${path} compares with a value that is not a number; ${path} holds numbers (times are epoch milliseconds), e.g. property=${path}>1700000000000.`,
  );

export function parsePropertyFilter(
  expression: string,
  rules: { readonly filterFields: readonly string[]; readonly numericFields?: readonly string[] },
): PropertyFilter {
  if (expression.includes('~')) {
    throw new AppError(
      'FLOW-1440-400',
      `The operator '~' in '${expression}' is not implemented; use ==, !=, >, <, >= or <=.`,
    );
  }
  let operator: FilterOperator | undefined;
  let at = -1;
  for (let index = 0; index < expression.length && operator === undefined; index += 1) {
    const found = OPERATORS.find((candidate) => expression.startsWith(candidate, index));
    if (found !== undefined) {
      operator = found;
      at = index;
    } else if (expression[index] === '=') {
      throw new AppError(
        'FLOW-1450-400',
        `The property filter '${expression}' uses '=', which is not an operator; use == (e.g. property=name==value).`,
      );
    }
  }
  if (operator === undefined) {
    throw new AppError(
      'FLOW-1450-400',
      `The property filter '${expression}' has no operator; write path==value (operators: ==, !=, >, <, >=, <=).`,
    );
  }
  const rawPath = expression.slice(0, at).trim();
  const rawValue = expression.slice(at + operator.length);
  const path = rawPath.split('.').map((segment) => {
    const match = SEGMENT.exec(segment);
    if (!match?.[1]) {
      throw new AppError(
        'FLOW-1450-400',
        `The field path '${rawPath}' in '${expression}' is invalid; use dotted names with [] for arrays, e.g. params.columns[].name.`,
      );
    }
    return { key: match[1], each: match[2] === '[]' };
  });
  const top = path[0]?.key ?? '';
  if (!rules.filterFields.includes(top)) {
    throw new AppError(
      'FLOW-1449-400',
      `Filtering on '${top}' is not supported; filter on one of ${rules.filterFields.join(', ')}.`,
    );
  }
  if (rawValue.trim() === '') {
    throw new AppError('FLOW-1453-400', `The property filter '${expression}' has an empty value.`);
  }
  const values = splitValues(rawValue);
  if (values.some((value) => value === '')) {
    throw new AppError(
      'FLOW-1452-400',
      `The property filter '${expression}' has an empty item in its value list.`,
    );
  }
  if (values.length > 1 && operator !== '==' && operator !== '!=') {
    throw new AppError(
      'FLOW-1443-400',
      `The operator ${operator} in '${expression}' takes a single value; only == and != accept a comma list.`,
    );
  }
  const dotted = path.map((segment) => segment.key).join('.');
  const numeric = new Set(['createdAt', 'updatedAt', ...(rules.numericFields ?? [])]);
  if (
    numeric.has(dotted) &&
    values.some(
      (value) => !NUMERIC.test(value) && !((operator === '==' || operator === '!=') && value === 'null'),
    )
  ) {
    throw notANumber(dotted);
  }
  return { expression, path, operator, values };
}

/** The leaf values at a path, traversing arrays (explicitly with [] and leniently without). */
export function valuesAt(subject: unknown, path: readonly PathSegment[]): unknown[] {
  let current: unknown[] = [subject];
  for (const segment of path) {
    const next: unknown[] = [];
    for (const item of current) {
      const candidates = Array.isArray(item) ? item : [item];
      for (const candidate of candidates) {
        if (candidate !== null && typeof candidate === 'object' && segment.key in candidate) {
          next.push((candidate as Record<string, unknown>)[segment.key]);
        }
      }
    }
    current = next.flatMap((value) => (Array.isArray(value) ? (value as unknown[]) : [value]));
  }
  return current;
}

function equals(leaf: unknown, value: string): boolean {
  if (leaf === null) return value.toLowerCase() === 'null';
  if (typeof leaf === 'number') return NUMERIC.test(value) && Number(value) === leaf;
  if (typeof leaf === 'boolean') return value.toLowerCase() === String(leaf);
  if (typeof leaf === 'string') return leaf.toLowerCase() === value.toLowerCase();
  return false;
}

function compare(leaf: unknown, value: string, filter: PropertyFilter): number | undefined {
  if (typeof leaf === 'number') {
    // A range on a number with a non-number would silently match nothing: refuse it instead.
    if (!NUMERIC.test(value)) throw notANumber(filter.path.map((segment) => segment.key).join('.'));
    return leaf - Number(value);
  }
  if (typeof leaf === 'string') return leaf < value ? -1 : leaf > value ? 1 : 0;
  return undefined;
}

export function matchesFilter(subject: unknown, filter: PropertyFilter): boolean {
  const leaves = valuesAt(subject, filter.path);
  const [value = ''] = filter.values;
  switch (filter.operator) {
    case '==':
      return leaves.some((leaf) => filter.values.some((candidate) => equals(leaf, candidate)));
    case '!=':
      return !leaves.some((leaf) => filter.values.some((candidate) => equals(leaf, candidate)));
    case '>':
      return leaves.some((leaf) => (compare(leaf, value, filter) ?? 0) > 0);
    case '<':
      return leaves.some((leaf) => (compare(leaf, value, filter) ?? 0) < 0);
    case '>=':
      return leaves.some((leaf) => {
        const result = compare(leaf, value, filter);
        return result !== undefined && result >= 0;
      });
    case '<=':
      return leaves.some((leaf) => {
        const result = compare(leaf, value, filter);
        return result !== undefined && result <= 0;
      });
  }
}

export const matchesFilters = (subject: unknown, filters: readonly PropertyFilter[]): boolean =>
  filters.every((filter) => matchesFilter(subject, filter));
