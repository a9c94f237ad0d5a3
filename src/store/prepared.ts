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
 * why that reads the same rows); otherwise, and on PostgreSQL, it goes through Kysely.
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

/**
 * The store's version reader (IdleReads.versionIfIdle) for a store opened with idle reads, else
 * undefined (PostgreSQL: nothing of this process can tell cheaply that another one committed).
 */
export function storeVersionOf(db: object): (() => string | undefined) | undefined {
  const reads = idleReadsOf.get(db);
  return reads === undefined ? undefined : () => reads.versionIfIdle();
}

/** A placeholder for argument `index`, to pass to the builder where the argument's value goes. */
const placeholder = (index: number): string => `\u0000sluice-prepared-${index}\u0000`;

type Slot = { readonly arg: number } | { readonly value: unknown };

/**
 * `build(arg)` returns the query with `arg(i)` where argument i's value goes (typed `never`, so it fits
 * any column); the result is a function of the arguments that resolves to the rows.
 */
export function prepareQuery<DB, Row, Args extends readonly unknown[]>(
  db: Kysely<DB>,
  arity: Args['length'],
  build: (arg: (index: number) => never) => Compilable<Row>,
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
  return async (...args) => {
    compiled ??= compile();
    const { query, slots } = compiled;
    const parameters = slots.map((slot) => ('arg' in slot ? args[slot.arg] : slot.value));
    const now = idle?.readIfIdle(query.sql, parameters);
    if (now !== undefined) return now as Row[];
    const result = await db.executeQuery<Row>({ ...query, parameters });
    return result.rows;
  };
}
