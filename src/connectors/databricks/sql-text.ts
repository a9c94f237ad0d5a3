/**
 * Spark SQL text the connector builds: identifiers are always backtick-quoted (a backtick inside a name is
 * doubled), and every literal value travels as a bound `?` parameter, so no user input is ever concatenated
 * into SQL as a literal.
 */
import { AppError } from '../../domain/errors.ts';
import type { ColumnSchema, FilterNode } from '../connector.ts';
import type { SqlParam } from './sql-client.ts';

export const quoteIdent = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

const PLAIN = /^[A-Za-z0-9_]+$/;

/** One part of an explore path: bare when `[A-Za-z0-9_]+`, backtick-quoted otherwise. */
export const pathPart = (name: string): string => (PLAIN.test(name) ? name : quoteIdent(name));

/**
 * Splits `db.table`, `` `my db`.`t.1` `` or `catalog.db.table` into parts. Throws AppError
 * CONNECTOR-1340-404 for text that is not a table path (the explore contract's "unknown table").
 */
export const parseTablePath = (path: string): string[] => {
  const parts: string[] = [];
  let i = 0;
  const fail = (why: string): AppError =>
    new AppError('CONNECTOR-1340-404', `The table path "${path}" is not valid: ${why}.`, { table: path });
  while (i <= path.length) {
    let part: string;
    if (path[i] === '`') {
      part = '';
      i++;
      for (;;) {
        if (i >= path.length) throw fail('a backtick-quoted part is not closed');
        if (path[i] === '`') {
          if (path[i + 1] === '`') {
            part += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += path.charAt(i);
        i++;
      }
    } else {
      const end = path.indexOf('.', i);
      part = path.slice(i, end === -1 ? path.length : end);
      if (!PLAIN.test(part)) throw fail('unquoted parts may only contain letters, digits and "_"');
      i = end === -1 ? path.length : end;
    }
    if (part === '') throw fail('a part is empty');
    parts.push(part);
    if (i === path.length) break;
    if (path[i] !== '.') throw fail('parts must be separated by "."');
    i++;
    if (i === path.length) throw fail('it ends with "."');
  }
  if (parts.length === 0 || parts.length > 3) throw fail('expected database.table or catalog.database.table');
  return parts;
};

export interface CompiledFilter {
  readonly sql: string;
  readonly params: SqlParam[];
}

const COMPARISONS: Readonly<Record<string, string>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
  like: 'LIKE',
};

const MIRRORED: Readonly<Record<string, string>> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * Compiles a validated PQL tree to a SQL predicate with bound parameters. Field names are resolved against
 * `columns` (exact match first, then case-insensitive, as Spark resolves names); an unknown field is
 * AppError CONNECTOR-1377-400, a malformed node CONNECTOR-1349-400.
 */
export const compileFilter = (node: FilterNode, columns: readonly ColumnSchema[]): CompiledFilter => {
  const params: SqlParam[] = [];
  const invalid = (why: string): AppError => new AppError('CONNECTOR-1349-400', `Invalid filter: ${why}.`);

  const field = (n: FilterNode | undefined): string => {
    if (n?.nodeType !== 'fieldLookup') throw invalid('expected a fieldLookup operand');
    const found =
      columns.find((c) => c.name === n.fieldName) ??
      columns.find((c) => c.name.toLowerCase() === n.fieldName.toLowerCase());
    if (found === undefined) {
      throw new AppError(
        'CONNECTOR-1377-400',
        `The filter refers to the column "${n.fieldName}", which the table does not have.`,
        {
          column: n.fieldName,
        },
      );
    }
    return quoteIdent(found.name);
  };

  const bind = (value: unknown): string => {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw invalid('a literal must be a string, number or boolean');
    }
    if (typeof value === 'number' && !Number.isFinite(value))
      throw invalid('a number literal must be finite');
    params.push(value);
    return '?';
  };

  const walk = (n: FilterNode): string => {
    if (n.nodeType !== 'fnApply') throw invalid(`expected a function, got ${n.nodeType}`);
    const [a, b] = n.params;
    switch (n.fnName) {
      case 'and':
      case 'or': {
        if (n.params.length === 0) throw invalid(`${n.fnName} needs operands`);
        return `(${n.params.map(walk).join(n.fnName === 'and' ? ' AND ' : ' OR ')})`;
      }
      case 'NOT':
        if (n.params.length !== 1 || a === undefined) throw invalid('NOT takes exactly one operand');
        return `(NOT ${walk(a)})`;
      case 'isNull':
        return `(${field(a)} IS NULL)`;
      case 'in': {
        const target = field(a);
        if (b?.nodeType !== 'literal' || !Array.isArray(b.value)) throw invalid('in needs a list literal');
        const list = b.value as readonly unknown[];
        if (list.length === 0) return '(1 = 0)';
        return `(${target} IN (${list.map(bind).join(', ')}))`;
      }
      default: {
        const op = COMPARISONS[n.fnName];
        if (op === undefined || n.params.length !== 2) throw invalid(`unsupported function ${n.fnName}`);
        // PQL allows `literal op field`; SQL reads the same with the comparison mirrored.
        const flipped = a?.nodeType === 'literal' && b?.nodeType === 'fieldLookup';
        const lhs = flipped ? b : a;
        const rhs = flipped ? a : b;
        const sqlOp = flipped ? (MIRRORED[n.fnName] ?? op) : op;
        const target = field(lhs);
        if (rhs?.nodeType !== 'literal') throw invalid(`${n.fnName} compares a column with a literal`);
        if (rhs.value === null) {
          if (n.fnName === '=') return `(${target} IS NULL)`;
          if (n.fnName === '!=') return `(${target} IS NOT NULL)`;
          throw invalid(`${n.fnName} cannot compare with null`);
        }
        if (n.fnName === 'like' && typeof rhs.value !== 'string')
          throw invalid('like needs a string pattern');
        // `\` escapes `%`, `_` and itself in a pattern, as in filter.ts; Spark's default, DuckDB needs it said.
        const escape = n.fnName === 'like' ? " ESCAPE '\\\\'" : '';
        return `(${target} ${sqlOp} ${bind(rhs.value)}${escape})`;
      }
    }
  };

  return { sql: walk(node), params };
};
