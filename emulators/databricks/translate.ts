/**
 * Spark SQL → DuckDB. A small tokenizer keeps string literals, comments and quoted identifiers
 * intact while rewriting what differs between the dialects:
 * - `back`-quoted identifiers become "double-quoted" ones; Spark "double-quoted" text is a string literal,
 * - Spark string escapes (\' \n \\) become DuckDB literals,
 * - named parameter markers `:name` become DuckDB's `$name` (positional `?` is shared),
 * - current_database()/current_schema() mean the schema in Spark, current_catalog() the catalog,
 * - catalog names DuckDB reserves (main, system, temp, memory) are renamed in 3-part names.
 * Statements DuckDB has no equivalent for (SHOW …, DESCRIBE …, USE …) are recognised and returned as
 * commands the engine answers itself.
 */

export type Command =
  | { kind: 'sql'; sql: string }
  | { kind: 'use'; catalog?: string; schema?: string }
  | { kind: 'showCatalogs'; pattern?: string }
  | { kind: 'showSchemas'; catalog?: string; pattern?: string }
  | { kind: 'showTables'; catalog?: string; schema?: string; pattern?: string }
  | { kind: 'describe'; name: string[]; extended: boolean };

interface Token {
  type: 'word' | 'ident' | 'string' | 'param' | 'punct' | 'space' | 'comment';
  text: string;
  /** Unquoted identifier / decoded string value. */
  value: string;
}

const sparkEscapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', Z: '\x1a' };

function readQuoted(
  sql: string,
  start: number,
  quote: string,
  backslash: boolean,
): { value: string; end: number } {
  let value = '';
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    if (backslash && ch === '\\' && i + 1 < sql.length) {
      const next = sql.charAt(i + 1);
      value += sparkEscapes[next] ?? next;
      i += 2;
      continue;
    }
    if (ch === quote) {
      if (sql.charAt(i + 1) === quote) {
        value += quote;
        i += 2;
        continue;
      }
      return { value, end: i + 1 };
    }
    value += ch;
    i++;
  }
  throw new SyntaxError(
    `[UNCLOSED_LITERAL] Unclosed ${quote === '`' ? 'identifier' : 'string literal'} in SQL.`,
  );
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql.charAt(i);
    const rest = sql.slice(i);
    if (/\s/.test(ch)) {
      const m = /^\s+/.exec(rest)![0];
      tokens.push({ type: 'space', text: m, value: m });
      i += m.length;
    } else if (rest.startsWith('--')) {
      const end = sql.indexOf('\n', i);
      const text = end < 0 ? rest : sql.slice(i, end);
      tokens.push({ type: 'comment', text, value: text });
      i += text.length;
    } else if (rest.startsWith('/*')) {
      const end = sql.indexOf('*/', i + 2);
      const text = end < 0 ? rest : sql.slice(i, end + 2);
      tokens.push({ type: 'comment', text, value: text });
      i += text.length;
    } else if (ch === "'" || ch === '"') {
      const { value, end } = readQuoted(sql, i, ch, true);
      tokens.push({ type: 'string', text: sql.slice(i, end), value });
      i = end;
    } else if (ch === '`') {
      const { value, end } = readQuoted(sql, i, '`', false);
      tokens.push({ type: 'ident', text: sql.slice(i, end), value });
      i = end;
    } else if (ch === ':' && /^:[A-Za-z_]/.test(rest) && tokens.at(-1)?.text !== ':') {
      const m = /^:[A-Za-z_]\w*/.exec(rest)![0];
      tokens.push({ type: 'param', text: m, value: m.slice(1) });
      i += m.length;
    } else if (/[A-Za-z_0-9]/.test(ch)) {
      const m = /^[A-Za-z_0-9]+(?:\.\d+(?:[eE][+-]?\d+)?)?/.exec(rest)![0];
      tokens.push({ type: 'word', text: m, value: m });
      i += m.length;
    } else if (ch === '?') {
      tokens.push({ type: 'param', text: '?', value: '' });
      i++;
    } else {
      const m = /^(::|<=|>=|<>|!=|\|\||.)/s.exec(rest)![0];
      tokens.push({ type: 'punct', text: m, value: m });
      i += m.length;
    }
  }
  return tokens;
}

const duckQuote = (value: string): string => `'${value.replace(/'/g, "''")}'`;
const duckIdent = (value: string): string => `"${value.replace(/"/g, '""')}"`;

/**
 * Words DuckDB's grammar reserves ("type_function" keywords) that Spark reads as plain identifiers,
 * so a column named `at` works unquoted on Databricks. They are quoted unless they start a call.
 */
const duckOnlyKeywords = new Set(
  'asof at authorization collation columns concurrently freeze generated glob overlaps positional tablesample unpack verbose'.split(
    ' ',
  ),
);

/** DuckDB reserves these database names, so Spark catalogs with these names get another name inside. */
const reservedCatalogs = new Set(['main', 'system', 'temp', 'memory']);
export const duckCatalogName = (catalog: string): string =>
  reservedCatalogs.has(catalog.toLowerCase()) ? `${catalog}__catalog` : catalog;
export const sparkCatalogName = (duckName: string): string => duckName.replace(/__catalog$/, '');

function significant(tokens: Token[]): Token[] {
  return tokens.filter((t) => t.type !== 'space' && t.type !== 'comment');
}

const isName = (t: Token | undefined): t is Token =>
  t !== undefined && (t.type === 'word' || t.type === 'ident');
const kw = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.type === 'word' && words.includes(t.text.toUpperCase());

/** Reads `a.b.c` starting at index; returns the parts and the index after. */
function readName(tokens: Token[], start: number): { parts: string[]; next: number } {
  const parts: string[] = [];
  let i = start;
  while (isName(tokens[i])) {
    parts.push(tokens[i]!.value);
    i++;
    if (tokens[i]?.text === '.' && isName(tokens[i + 1])) i++;
    else break;
  }
  return { parts, next: i };
}

function readPattern(tokens: Token[], start: number): string | undefined {
  let i = start;
  if (kw(tokens[i], 'LIKE')) i++;
  const t = tokens[i];
  return t?.type === 'string' ? t.value : undefined;
}

function recogniseCommand(all: Token[]): Command | undefined {
  const t = significant(all);
  while (t.at(-1)?.text === ';') t.pop();
  if (kw(t[0], 'USE') || (kw(t[0], 'SET') && kw(t[1], 'CATALOG'))) {
    let i = 1;
    if (kw(t[1], 'CATALOG')) {
      const { parts } = readName(t, 2);
      return parts[0] === undefined ? undefined : { kind: 'use', catalog: parts[0] };
    }
    if (kw(t[1], 'SCHEMA', 'DATABASE', 'NAMESPACE')) i = 2;
    const { parts } = readName(t, i);
    if (parts.length === 1) return { kind: 'use', schema: parts[0]! };
    if (parts.length === 2) return { kind: 'use', catalog: parts[0]!, schema: parts[1]! };
    return undefined;
  }
  if (kw(t[0], 'SHOW') && kw(t[1], 'CATALOGS')) {
    const pattern = readPattern(t, 2);
    return pattern === undefined ? { kind: 'showCatalogs' } : { kind: 'showCatalogs', pattern };
  }
  if (kw(t[0], 'SHOW') && kw(t[1], 'DATABASES', 'SCHEMAS', 'NAMESPACES')) {
    let i = 2;
    const command: Command = { kind: 'showSchemas' };
    if (kw(t[i], 'IN', 'FROM')) {
      const { parts, next } = readName(t, i + 1);
      if (parts[0] !== undefined) command.catalog = parts[0];
      i = next;
    }
    const pattern = readPattern(t, i);
    if (pattern !== undefined) command.pattern = pattern;
    return command;
  }
  if (kw(t[0], 'SHOW') && kw(t[1], 'TABLES')) {
    let i = 2;
    const command: Command = { kind: 'showTables' };
    if (kw(t[i], 'IN', 'FROM')) {
      const { parts, next } = readName(t, i + 1);
      if (parts.length === 2) command.catalog = parts[0]!;
      if (parts.length > 0) command.schema = parts.at(-1)!;
      i = next;
    }
    const pattern = readPattern(t, i);
    if (pattern !== undefined) command.pattern = pattern;
    return command;
  }
  if (kw(t[0], 'DESCRIBE', 'DESC')) {
    let i = 1;
    if (kw(t[i], 'TABLE')) i++;
    let extended = false;
    if (kw(t[i], 'EXTENDED', 'FORMATTED')) {
      extended = true;
      i++;
    }
    if (kw(t[i], 'QUERY', 'FUNCTION', 'SCHEMA', 'DATABASE', 'CATALOG', 'DETAIL', 'HISTORY')) return undefined;
    const { parts } = readName(t, i);
    return parts.length > 0 ? { kind: 'describe', name: parts, extended } : undefined;
  }
  return undefined;
}

/** Index distance from a function name to the `)` closing its empty argument list. */
function skipEmptyCall(tokens: Token[], nameIndex: number): number {
  for (let j = nameIndex + 1; j < tokens.length; j++) {
    if (tokens[j]!.text === ')') return j - nameIndex;
  }
  return 0;
}

function rewrite(tokens: Token[]): string {
  let out = '';
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const prev = significant(tokens.slice(0, i)).at(-1);
    switch (token.type) {
      case 'string':
        out += duckQuote(token.value);
        break;
      case 'ident':
      case 'word': {
        if (token.type === 'word' && /^\d/.test(token.text)) {
          out += token.text;
          break;
        }
        const next = significant(tokens.slice(i + 1, i + 4));
        const lower = token.value.toLowerCase();
        // Spark: current_database()/current_schema() = schema; current_catalog() = catalog.
        if (token.type === 'word' && next[0]?.text === '(' && next[1]?.text === ')') {
          if (lower === 'current_database') {
            out += 'current_schema';
            break;
          }
          if (lower === 'current_catalog') {
            // Reads back the Spark name of a renamed catalog (main__catalog → main).
            out += "regexp_replace(current_database(), '__catalog$', '')";
            i += skipEmptyCall(tokens, i);
            break;
          }
        }
        if (token.type === 'word' && duckOnlyKeywords.has(lower) && next[0]?.text !== '(') {
          if (!(lower === 'at' && kw(next[0], 'TIME'))) {
            out += duckIdent(token.value);
            break;
          }
        }
        const startsChain =
          prev?.text !== '.' && next[0]?.text === '.' && isName(next[1]) && next[2]?.text === '.';
        const name = startsChain ? duckCatalogName(token.value) : token.value;
        out += token.type === 'ident' || name !== token.value ? duckIdent(name) : token.text;
        break;
      }
      case 'param':
        out += token.text === '?' ? '?' : `$${token.value}`;
        break;
      default:
        out += token.text;
    }
  }
  return out;
}

/** Translates one Spark SQL statement. Throws SyntaxError for input the tokenizer cannot read. */
export function translate(sql: string): Command {
  const tokens = tokenize(sql);
  return recogniseCommand(tokens) ?? { kind: 'sql', sql: rewrite(tokens).replace(/;\s*$/, '') };
}

/** Spark SHOW … LIKE patterns: `*` is any run of characters, `|` separates alternatives, case-insensitive. */
export function matchesSparkPattern(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  return pattern.split('|').some((alternative) => {
    const source = alternative
      .trim()
      .split('*')
      .map((part) =>
        part.replace(/[.+?^${}()[\]\\%_]/g, (c) => (c === '%' ? '.*' : c === '_' ? '.' : `\\${c}`)),
      )
      .join('.*');
    return new RegExp(`^${source}$`, 'i').test(value);
  });
}

/** JDBC metadata patterns (GetSchemas/GetTables/GetColumns): `%` any run, `_` one character; `*` accepted too. */
export function matchesJdbcPattern(pattern: string | undefined, value: string): boolean {
  if (pattern === undefined || pattern === '' || pattern === '%' || pattern === '*') return true;
  const source = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/[%*]/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${source}$`, 'i').test(value);
}
