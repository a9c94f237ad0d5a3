/**
 * SQL failures in Databricks' words. DuckDB messages are mapped to the Spark error classes a
 * connector looks for (TABLE_OR_VIEW_NOT_FOUND, PARSE_SYNTAX_ERROR, UNRESOLVED_COLUMN …); the
 * original DuckDB text is kept after the class so a test failure still explains itself.
 */
export class SqlError extends Error {
  readonly sqlState: string;

  constructor(message: string, sqlState: string) {
    super(message);
    this.name = 'SqlError';
    this.sqlState = sqlState;
  }
}

/** `"a.b"` or a.b → \`a\`.\`b\`, the way Spark prints a multi-part name. */
const quotedName = (name: string): string =>
  name
    .replace(/^"|"$/g, '')
    .split('.')
    .map((part) => `\`${part}\``)
    .join('.');

/** The name as written in the statement (with its schema/catalog qualifiers), when it can be found. */
function writtenName(name: string, sql: string | undefined): string {
  const bare = name.replace(/^"|"$/g, '');
  if (sql === undefined || bare.includes('.')) return bare;
  const escaped = bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const part = '(?:"[^"]+"|[A-Za-z_][\\w$]*)';
  const match = new RegExp(`(?:${part}\\s*\\.\\s*){0,2}"?${escaped}"?(?![\\w"])`, 'i').exec(sql);
  return (match?.[0] ?? bare)
    .replace(/"/g, '')
    .replace(/\s+/g, '')
    .replace(/__catalog\./, '.');
}

export function fromDuckDbError(error: unknown, sql?: string): SqlError {
  if (error instanceof SqlError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.split('\n')[0] ?? raw;
  const table = /^Catalog Error: Table with name (.+?) does not exist/.exec(message);
  if (table) {
    return new SqlError(
      `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${quotedName(writtenName(table[1] ?? '', sql))} cannot be found. Verify the spelling and correctness of the schema and catalog. SQLSTATE: 42P01 (${message})`,
      '42P01',
    );
  }
  if (/^Catalog Error: (Schema|Catalog) with name .+ does not exist/.test(message)) {
    return new SqlError(`[TABLE_OR_VIEW_NOT_FOUND] ${message} SQLSTATE: 42P01`, '42P01');
  }
  if (message.startsWith('Parser Error:')) {
    const near = /at or near "([^"]*)"/.exec(message);
    return new SqlError(
      `[PARSE_SYNTAX_ERROR] Syntax error at or near '${near?.[1] ?? ''}'. SQLSTATE: 42601 (${message})`,
      '42601',
    );
  }
  const column = /^Binder Error: Referenced column "?([^"\s]+)"? not found/.exec(message);
  if (column) {
    return new SqlError(
      `[UNRESOLVED_COLUMN.WITHOUT_SUGGESTION] A column, variable, or function parameter with name \`${column[1] ?? ''}\` cannot be resolved. SQLSTATE: 42703 (${message})`,
      '42703',
    );
  }
  if (
    message.startsWith('Catalog Error: Scalar Function') ||
    message.startsWith('Catalog Error: Table Function')
  ) {
    return new SqlError(`[UNRESOLVED_ROUTINE] ${message} SQLSTATE: 42883`, '42883');
  }
  if (message.startsWith('Conversion Error:') || message.startsWith('Invalid Input Error:')) {
    return new SqlError(`[CAST_INVALID_INPUT] ${message} SQLSTATE: 22018`, '22018');
  }
  if (message.startsWith('Constraint Error:')) return new SqlError(`${message} SQLSTATE: 23000`, '23000');
  if (message.startsWith('INTERRUPT Error'))
    return new SqlError('The operation was canceled. SQLSTATE: HY008', 'HY008');
  return new SqlError(`${message} SQLSTATE: 42000`, '42000');
}
