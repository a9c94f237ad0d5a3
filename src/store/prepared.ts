/**
 * Hot reads compiled once: a Kysely query is built and compiled on its first call with placeholder
 * values, and every later call runs the same SQL text with its own parameters through `db.executeQuery`.
 * That spares Kysely's per-call build, freeze and compile (≈ 10 µs a query); the query still runs on
 * Kysely's connection (so it waits for a transaction of this process like any other query, never reads
 * inside one), and on SQLite the adapter reuses the prepared statement of that SQL text
 * (sqlite-driver.ts). Both dialects: the placeholders are found by position in the compiled parameters.
 *
 * On a store with idle reads (SQLite, registered by db.ts), a read runs at once when nothing of this
 * process holds the connection, without Kysely's executor, lock and promise hops (sqlite-driver.ts says
 * why that reads the same rows); otherwise, and on PostgreSQL, it goes through Kysely. A read made with
 * `keepWhileUnchanged` is answered from its last result while nothing was committed since (SQLite).
 *
 * Guarantees:
 * - The SQL is exactly what the builder compiles, so a prepared read and the plain builder return the
 *   same rows.
 * - Parameters are bound, never spliced into the SQL text.
 * - A read never runs inside a transaction or stream of this process that it is not part of.
 */
import type { Compilable, CompiledQuery, Kysely } from 'kysely';
import type { IdleReads } from './sqlite-driver.ts';

// Only the Kysely instances the store opened (no plugins, no logging): a transaction, or an instance
// made with withPlugin or withSchema, is another object and reads through Kysely.
const idleReadsOf = new WeakMap<object, IdleReads>();

/** Lets prepared reads on `db` run at once while its connection is free (db.ts, SQLite). */
export function registerIdleReads(db: object, reads: IdleReads): void {
  idleReadsOf.set(db, reads);
}

/** A placeholder for argument `index`, to pass to the builder where the argument's value goes. */
const placeholder = (index: number): string => `\u0000sluice-prepared-${index}\u0000`;

type Slot = { readonly arg: number } | { readonly value: unknown };

export interface PreparedOptions {
  /**
   * Keep up to this many results (by arguments) and answer from them while the store's version is the
   * one read just before the result was read (SQLite: sqlite-driver.ts versionAfterTurn, read after the
   * call; it changes with every commit of any connection). Never on PostgreSQL. The rows are shared:
   * callers must not change them.
   */
  readonly keepWhileUnchanged?: number;
}

interface Kept<Row> {
  readonly version: string;
  readonly rows: Row[];
}

/**
 * `build(arg)` returns the query with `arg(i)` where argument i's value goes (typed `never`, so it fits
 * any column); the result is a function of the arguments that resolves to the rows.
 */
export function prepareQuery<DB, Row, Args extends readonly unknown[]>(
  db: Kysely<DB>,
  arity: Args['length'],
  build: (arg: (index: number) => never) => Compilable<Row>,
  options: PreparedOptions = {},
): (...args: Args) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; slots: readonly Slot[] } | undefined;
  const compile = () => {
    const placeholders = Array.from({ length: arity }, (_, index) => placeholder(index));
    const arg = (index: number): never => {
      if (!Number.isInteger(index) || index < 0 || index >= arity)
        throw new RangeError(`no argument ${index}`);
      return placeholder(index) as never;
    };
    const query = build(arg).compile();
    const byText = new Map(placeholders.map((text, index) => [text, index]));
    const slots = query.parameters.map((value): Slot => {
      const arg = typeof value === 'string' ? byText.get(value) : undefined;
      return arg === undefined ? { value } : { arg };
    });
    const used = new Set(slots.flatMap((slot) => ('arg' in slot ? [slot.arg] : [])));
    if (used.size !== arity) throw new Error('prepareQuery: a placeholder is not a bound parameter');
    return { query, slots };
  };
  const idle = idleReadsOf.get(db);
  const limit = options.keepWhileUnchanged ?? 0;
  const kept = idle !== undefined && limit > 0 ? new Map<string, Kept<Row>>() : undefined;
  const keep = (key: string, version: string, rows: Row[]): void => {
    if (kept === undefined) return;
    kept.delete(key);
    if (kept.size >= limit) {
      const oldest = kept.keys().next();
      if (oldest.done !== true) kept.delete(oldest.value);
    }
    kept.set(key, { version, rows });
  };
  return async (...args) => {
    compiled ??= compile();
    const { query, slots } = compiled;
    const parameters = slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    // The version is read before the rows: a commit between the two leaves a version no later call matches.
    // It is read after this call (one reading for the calls of this turn of the event loop: sqlite-driver.ts
    // versionAfterTurn), so it shows every commit that returned before the call.
    const version = kept === undefined ? undefined : await idle?.versionAfterTurn();
    const key = version === undefined ? '' : JSON.stringify(parameters);
    if (version !== undefined) {
      const hit = kept?.get(key);
      if (hit?.version === version) return hit.rows;
    }
    const now = idle?.readIfIdle(query.sql, parameters) as Row[] | undefined;
    const rows = now ?? (await db.executeQuery<Row>({ ...query, parameters })).rows;
    if (version !== undefined) keep(key, version, rows);
    return rows;
  };
}
