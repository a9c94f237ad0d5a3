/**
 * Deterministic cases for property tests: the same seed gives the same cases on every run (a linear
 * congruential generator; good enough to spread cases, not for anything else).
 */
export interface Seeded {
  /** An integer in [0, n). */
  readonly next: (n: number) => number;
  /** `count` random decimal digits. */
  readonly digits: (count: number) => string;
}

export function seeded(seed: number): Seeded {
  let state = seed;
  const next = (n: number): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state % n;
  };
  return { next, digits: (count) => Array.from({ length: count }, () => String(next(10))).join('') };
}

/** `fn()`'s value, or undefined when it throws (to compare a converter with a reference that says "none"). */
export function orUndefined<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
