import { describe, expect, it } from 'vitest';
import { isStoreUnavailable } from './availability.ts';

const error = (fields: Record<string, unknown>): Error => Object.assign(new Error('store error'), fields);

describe('isStoreUnavailable', () => {
  it.each([
    ['a refused connection', error({ code: 'ECONNREFUSED' })],
    ['a reset connection', error({ code: 'ECONNRESET' })],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('timeout exceeded when trying to connect')],
    ['PostgreSQL shutting down (57P01)', error({ code: '57P01' })],
    ['PostgreSQL starting (57P03)', error({ code: '57P03' })],
    ['a connection exception (08006)', error({ code: '08006' })],
    ['too many connections (53300)', error({ code: '53300' })],
    ['SQLite busy', error({ errcode: 5 })],
    ['SQLite I/O error (extended code)', error({ errcode: 10 | (3 << 8) })],
    ['a wrapped cause', new Error('query failed', { cause: error({ code: 'ECONNREFUSED' }) })],
  ])('is true for %s', (_name, failure) => {
    expect(isStoreUnavailable(failure)).toBe(true);
  });

  it.each([
    ['a unique violation', error({ code: '23505' })],
    ['a syntax error', error({ code: '42601' })],
    ['a NUL in text (22021)', error({ code: '22021' })],
    ['SQLite constraint', error({ errcode: 2067 })],
    ['a TypeError', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('is false for %s', (_name, failure) => {
    expect(isStoreUnavailable(failure)).toBe(false);
  });
});
