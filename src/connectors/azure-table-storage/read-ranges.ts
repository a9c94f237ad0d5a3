/**
 * Parallel reads of Azure Table Storage: a read split into `PartitionKey` ranges, one query stream each.
 *
 * Guarantees of `splitRead`:
 * - the ranges partition the key space exactly: the first has no lower bound, the last no upper bound, and
 *   each boundary is the next range's inclusive start and this range's exclusive end; so every entity the
 *   unsplit read would return is returned by exactly one range, whatever the probes found (the probes only
 *   decide how even the ranges are);
 * - boundaries are made of UTF-16 code units below U+D800 only, where the service's ordinal comparison and
 *   JavaScript's agree for any key compared with them, so the in-memory re-check (`keyRangeCheck`) accepts
 *   exactly what the service's `ge`/`lt` returned;
 * - the probes are few and concurrent (at most `ROUNDS` round trips of one-entity queries after the first):
 *   the first key, then a search for the last; a table with one partition key gives fewer
 *   ranges (down to the unsplit read).
 *
 * Boundaries are evenly spaced between the first and the last key, read as numbers whose digits are the
 * characters the probes saw: even runs of keys for sequential keys (`p0000`…`p0199`) and random ones
 * (GUIDs); the rows per range follow the rows per key, so skewed partitions give skewed ranges.
 */
import type { ReadRequest } from '../connector.ts';
import type { EntityPage } from './sdk.ts';

/** One page of the table's entities (the read's own page request, with its error mapping). */
export type PageOf = (request: {
  filter?: string;
  top: number;
  continuationToken?: string;
}) => Promise<EntityPage>;

/** Search rounds towards the last key; each round is `PROBES_PER_ROUND` one-entity queries at once. */
const ROUNDS = 8;
const PROBES_PER_ROUND = 12;
/** Key positions after the common prefix that boundaries are interpolated over. */
const DIGITS = 6;
/** Keys of ASCII only (the common case) are interpolated in base 0x80, any others below U+D800. */
const ASCII = 0x80;
const BMP_LOW = 0xd800;

export interface KeyRange {
  readonly column: string;
  readonly from?: string;
  readonly to?: string;
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** The OData predicate of a key range, and its in-memory check (the same comparison). */
export function keyRangeCheck(range: KeyRange): {
  readonly odata?: string;
  readonly accepts: (key: string) => boolean;
} {
  const parts = [
    ...(range.from === undefined ? [] : [`${range.column} ge ${quote(range.from)}`]),
    ...(range.to === undefined ? [] : [`${range.column} lt ${quote(range.to)}`]),
  ];
  const { from, to } = range;
  return {
    ...(parts.length === 0 ? {} : { odata: parts.join(' and ') }),
    accepts: (key) => (from === undefined || key >= from) && (to === undefined || key < to),
  };
}

const commonPrefix = (a: string, b: string): number => {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return n;
};

function asNumber(text: string, at: number, base: number): bigint {
  let value = 0n;
  for (let i = 0; i < DIGITS; i++)
    value = value * BigInt(base) + BigInt(Math.min(text.charCodeAt(at + i) || 0, base - 1));
  return value;
}

function asText(value: bigint, base: number): string {
  const units: number[] = [];
  for (let i = 0; i < DIGITS; i++) {
    units.unshift(Number(value % BigInt(base)));
    value /= BigInt(base);
  }
  // Trailing zero units add nothing to the order; a string ending in U+0000 is not a useful key.
  while (units.length > 0 && units.at(-1) === 0) units.pop();
  return String.fromCharCode(...units);
}

/**
 * Up to `count - 1` strictly increasing strings strictly between `first` and `last`, evenly spaced as
 * numbers in `base` after their common prefix (the search's probes); every unit is below `base`.
 */
export function boundaries(first: string, last: string, count: number, base: number = BMP_LOW): string[] {
  if (count <= 1 || first >= last) return [];
  const prefix = commonPrefix(first, last);
  const lo = asNumber(first, prefix, base);
  const hi = asNumber(last, prefix, base);
  const head = first.slice(0, prefix);
  const result: string[] = [];
  for (let i = 1; i < count; i++) {
    const text = head + asText(lo + ((hi - lo) * BigInt(i)) / BigInt(count), base);
    if (text > first && text < last && (result.length === 0 || text > (result.at(-1) ?? ''))) {
      result.push(text);
    }
  }
  return result;
}

/** The sorted characters (below U+D800) of the keys seen: the digits that range boundaries are made of. */
export function alphabetOf(keys: Iterable<string>): string[] {
  const units = new Set<string>();
  for (const key of keys) for (const unit of key) if (unit.charCodeAt(0) < BMP_LOW) units.add(unit);
  // The probes see few keys: fill each class of characters between the least and the greatest seen.
  for (const [low, high] of [
    ['0', '9'],
    ['a', 'z'],
    ['A', 'Z'],
  ] as const) {
    const inClass = [...units].filter((unit) => unit >= low && unit <= high).sort();
    const from = inClass[0]?.charCodeAt(0);
    const to = inClass.at(-1)?.charCodeAt(0);
    if (from === undefined || to === undefined) continue;
    for (let code = from; code <= to; code++) units.add(String.fromCharCode(code));
  }
  return [...units].sort();
}

/**
 * Up to `count - 1` strictly increasing keys strictly between `first` and `last`, evenly spaced as numbers
 * whose digits are the characters of `alphabet` (after the keys' common prefix); so sequential keys
 * (`p0000`…`p0199`) split into even runs of keys. Every character they add is from the alphabet.
 */
export function cutsBetween(
  first: string,
  last: string,
  count: number,
  alphabet: readonly string[],
): string[] {
  if (count <= 1 || first >= last || alphabet.length === 0) return [];
  const base = BigInt(alphabet.length + 1);
  // Digit 0 = the end of the key (shorter keys sort first); digit d = alphabet[d - 1] or the nearest below.
  const digit = (unit: string | undefined): bigint => {
    if (unit === undefined) return 0n;
    let at = 0;
    while (at < alphabet.length && (alphabet[at] ?? '') <= unit) at++;
    return BigInt(Math.max(at, 1));
  };
  const prefix = commonPrefix(first, last);
  // As many digits as the longer key has beyond the prefix (so fixed-width keys get fixed-width cuts).
  const width = Math.min(DIGITS, Math.max(first.length, last.length) - prefix);
  const value = (text: string): bigint => {
    let n = 0n;
    for (let i = 0; i < width; i++) n = n * base + digit(text[prefix + i]);
    return n;
  };
  const text = (n: bigint): string => {
    const digits: number[] = [];
    for (let i = 0; i < width; i++) {
      digits.unshift(Number(n % base));
      n /= base;
    }
    const end = digits.indexOf(0);
    return (end < 0 ? digits : digits.slice(0, end)).map((d) => alphabet[d - 1] ?? '').join('');
  };
  const lo = value(first);
  const hi = value(last);
  const head = first.slice(0, prefix);
  const result: string[] = [];
  for (let i = 1; i < count; i++) {
    const cut = head + text(lo + ((hi - lo) * BigInt(i)) / BigInt(count));
    if (cut > first && cut < last && cut > (result.at(-1) ?? '')) result.push(cut);
  }
  return result;
}

/** The first key ≥ `from` (the table's first when absent), or undefined when there is none. */
type FirstKey = (from?: string) => Promise<string | undefined>;

interface KeySpan {
  readonly first: string;
  readonly last: string;
  /** The characters of the keys the search saw. */
  readonly alphabet: readonly string[];
}

/**
 * The first and (approximately) the last partition key: a search of `ROUNDS` rounds, each probing
 * evenly spaced keys between the largest key found and the smallest probe that found none, at once.
 */
async function keySpan(firstKey: FirstKey): Promise<KeySpan | undefined> {
  const [first, beyondAscii] = await Promise.all([firstKey(), firstKey(String.fromCharCode(ASCII))]);
  if (first === undefined) return undefined;
  const base = beyondAscii === undefined ? ASCII : BMP_LOW;
  const seen = new Set([first]);
  let known = first;
  let upper = String.fromCharCode(base);
  for (let round = 0; round < ROUNDS; round++) {
    const candidates = boundaries(known, upper, PROBES_PER_ROUND + 1, base);
    if (candidates.length === 0) break;
    const found = await Promise.all(candidates.map((candidate) => firstKey(candidate)));
    const empty = found.findIndex((key) => key === undefined);
    for (const key of found) {
      if (key === undefined) continue;
      seen.add(key);
      if (key > known && key < upper) known = key;
    }
    if (empty >= 0) upper = candidates[empty] ?? upper;
  }
  // The digits: what the seen keys hold beyond the prefix every key in the span shares.
  const prefix = commonPrefix(first, known);
  return { first, last: known, alphabet: alphabetOf([...seen].map((key) => key.slice(prefix))) };
}

export async function splitByPartitionKey(
  page: PageOf,
  request: ReadRequest,
  ranges: number,
): Promise<ReadRequest[]> {
  if (ranges <= 1) return [request];
  const firstKey: FirstKey = async (from) => {
    let token: string | undefined;
    // The service may answer a filtered query with an empty page and a continuation; follow a few.
    for (let tries = 0; tries < 5; tries++) {
      const result = await page({
        top: 1,
        ...(from === undefined ? {} : { filter: `PartitionKey ge ${quote(from)}` }),
        ...(token === undefined ? {} : { continuationToken: token }),
      });
      const key = result.entities[0]?.get('PartitionKey')?.value;
      if (key !== undefined) return key;
      token = result.continuationToken;
      if (token === undefined) return undefined;
    }
    return undefined;
  };
  const span = await keySpan(firstKey);
  if (span === undefined) return [request];
  const cuts = cutsBetween(span.first, span.last, ranges, span.alphabet);
  if (cuts.length === 0) return [request];
  return [undefined, ...cuts].map((from, i) => ({
    ...request,
    keyRange: {
      column: 'PartitionKey',
      ...(from === undefined ? {} : { from }),
      ...(cuts[i] === undefined ? {} : { to: cuts[i] }),
    },
  }));
}
