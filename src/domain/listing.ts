/**
 * The list query language of Flow Service (flow-service-api.md §2): `limit`, `continuationToken`,
 * `orderby`, repeatable `property` filters and `count`. Parsing is strict (every mistake is its own
 * 4xx); evaluation runs on the response representation of an entity, so masked secrets can never be
 * used as an oracle.
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

export type SortDirection = 'asc' | 'desc';

export interface ListQuery {
  readonly limit: number;
  readonly orderBy: { readonly field: string; readonly direction: SortDirection };
  readonly filters: readonly PropertyFilter[];
  readonly count: boolean;
}

export interface ListRules {
  /** Fields `orderby` accepts (e.g. createdAt, updatedAt, name). */
  readonly sortFields: readonly string[];
  readonly defaultSort: { readonly field: string; readonly direction: SortDirection };
  /** Top-level fields of the representation a filter may start with. */
  readonly filterFields: readonly string[];
  readonly defaultLimit: number;
  readonly maxLimit: number;
}

const LIST_PARAMS = new Set(['limit', 'continuationToken', 'orderby', 'property', 'count']);
const OPERATORS: readonly FilterOperator[] = ['==', '!=', '>=', '<=', '>', '<'];
const SEGMENT = /^([A-Za-z_$][\w$:@-]*)(\[\])?$/;

function asList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function single(name: string, value: unknown): string | undefined {
  const list = asList(value);
  if (list.length > 1)
    throw new AppError('FLOW-1401-400', `The query parameter '${name}' may be given only once.`);
  return list[0];
}

/** Reject query parameters this route does not know (Adobe: 1451). */
export function assertKnownParams(query: Record<string, unknown>, known: Iterable<string>): void {
  const allowed = new Set(known);
  const unknown = Object.keys(query).filter((key) => !allowed.has(key));
  if (unknown.length > 0) {
    throw new AppError(
      'FLOW-1451-400',
      `Invalid params ${unknown.join(', ')} provided in query params. Allowed: ${[...allowed].join(', ') || 'none'}.`,
    );
  }
}

export function parseLimit(
  raw: string | undefined,
  rules: Pick<ListRules, 'defaultLimit' | 'maxLimit'>,
): number {
  if (raw === undefined) return rules.defaultLimit;
  if (!/^\d+$/.test(raw.trim())) {
    throw new AppError(
      'FLOW-1402-400',
      `The limit '${raw}' is not a whole number; use 1 to ${rules.maxLimit}.`,
    );
  }
  const limit = Number(raw);
  if (limit < 1 || limit > rules.maxLimit) {
    throw new AppError('FLOW-1402-400', `The limit ${limit} is out of range; use 1 to ${rules.maxLimit}.`);
  }
  return limit;
}

export function parseOrderBy(raw: string | undefined, rules: ListRules): ListQuery['orderBy'] {
  if (raw === undefined || raw === '') return rules.defaultSort;
  const match = /^([+-]?)(.*)$/.exec(raw.trim());
  const sign = match?.[1] ?? '';
  const field = match?.[2] ?? '';
  if (!/^[A-Za-z]\w*$/.test(field)) {
    throw new AppError(
      'FLOW-1432-400',
      `The orderby value '${raw}' is invalid; use a field name optionally prefixed by + (ascending) or - (descending), e.g. orderby=-createdAt.`,
    );
  }
  if (!rules.sortFields.includes(field)) {
    throw new AppError(
      'FLOW-1433-400',
      `Ordering by '${field}' is not supported; use one of ${rules.sortFields.join(', ')}.`,
    );
  }
  return { field, direction: sign === '-' ? 'desc' : 'asc' };
}

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

export function parsePropertyFilter(
  expression: string,
  rules: Pick<ListRules, 'filterFields'>,
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
  return { expression, path, operator, values };
}

export interface ParsedListRequest extends ListQuery {
  readonly continuationToken?: string;
}

export function parseListQuery(query: Record<string, unknown>, rules: ListRules): ParsedListRequest {
  assertKnownParams(query, LIST_PARAMS);
  const countRaw = single('count', query['count']);
  if (countRaw !== undefined && !/^(true|false)$/i.test(countRaw)) {
    throw new AppError('FLOW-1401-400', `The count parameter must be true or false, not '${countRaw}'.`);
  }
  const count = countRaw?.toLowerCase() === 'true';
  const limitRaw = single('limit', query['limit']);
  if (count && limitRaw !== undefined) {
    throw new AppError('FLOW-1401-400', 'The limit and count parameters cannot be given together.');
  }
  const token = single('continuationToken', query['continuationToken']);
  return {
    limit: parseLimit(limitRaw, rules),
    orderBy: parseOrderBy(single('orderby', query['orderby']), rules),
    filters: asList(query['property']).map((expression) => parsePropertyFilter(expression, rules)),
    count,
    ...(token === undefined ? {} : { continuationToken: token }),
  };
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

const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function equals(leaf: unknown, value: string): boolean {
  if (leaf === null) return value.toLowerCase() === 'null';
  if (typeof leaf === 'number') return NUMERIC.test(value) && Number(value) === leaf;
  if (typeof leaf === 'boolean') return value.toLowerCase() === String(leaf);
  if (typeof leaf === 'string') return leaf.toLowerCase() === value.toLowerCase();
  return false;
}

function compare(leaf: unknown, value: string): number | undefined {
  if (typeof leaf === 'number' && NUMERIC.test(value)) return leaf - Number(value);
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
      return leaves.some((leaf) => (compare(leaf, value) ?? 0) > 0);
    case '<':
      return leaves.some((leaf) => (compare(leaf, value) ?? 0) < 0);
    case '>=':
      return leaves.some((leaf) => {
        const result = compare(leaf, value);
        return result !== undefined && result >= 0;
      });
    case '<=':
      return leaves.some((leaf) => {
        const result = compare(leaf, value);
        return result !== undefined && result <= 0;
      });
  }
}

export const matchesFilters = (subject: unknown, filters: readonly PropertyFilter[]): boolean =>
  filters.every((filter) => matchesFilter(subject, filter));
