import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import {
  assertDocumentSize,
  assertDocumentWithinLimits,
  assertNameAndDescription,
  documentLimits,
  isStorableText,
} from './limits.ts';

const limits = documentLimits(1024);

const refusal = (run: () => void): AppError => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('document limits', () => {
  it('accepts an ordinary document', () => {
    expect(() => {
      assertDocumentWithinLimits({ name: 'a', auth: { params: { list: [1, 'x', null, true] } } }, limits);
    }).not.toThrow();
  });

  it.each([
    ['a NUL in a value', { name: 'a\u0000b' }, 'body.name'],
    ['a NUL in a nested array value', { a: [{ b: ['ok', 'x\u0000'] }] }, 'body.a[0].b[1]'],
    ['an unpaired high surrogate', { name: 'a\ud800' }, 'body.name'],
    ['an unpaired low surrogate', { name: '\udc00z' }, 'body.name'],
    ['a NUL in a key', { ['k\u0000']: 1 }, 'body (a key)'],
  ])('refuses %s with FLOW-1480, naming the field', (_name, document, field) => {
    const error = refusal(() => {
      assertDocumentWithinLimits(document, limits, 'body');
    });
    expect(error.code).toBe('FLOW-1480-400');
    expect(error.message).toContain(field);
    expect(error.message).not.toContain('\u0000');
  });

  it('accepts paired surrogates (emoji)', () => {
    expect(isStorableText('a😀b')).toBe(true);
    expect(isStorableText('a\u0000')).toBe(false);
  });

  it('refuses a string over the length limit without echoing it', () => {
    const error = refusal(() => {
      assertDocumentWithinLimits({ connectionSpec: { version: 'v'.repeat(9000) } }, limits, 'body');
    });
    expect(error.code).toBe('FLOW-1481-400');
    expect(error.message).toContain('body.connectionSpec.version');
    expect(error.message).toContain('8192');
    expect(error.message).not.toContain('vvvv');
  });

  it('refuses a long key, showing no part of it', () => {
    const error = refusal(() => {
      assertDocumentWithinLimits({ params: { ['k'.repeat(9000)]: 1 } }, limits, 'body');
    });
    expect(error.code).toBe('FLOW-1481-400');
    expect(error.message).not.toContain('kkkk');
  });

  it('refuses a 10,000-level document without overflowing the stack', () => {
    let deep: unknown = {};
    for (let index = 0; index < 10_000; index += 1) deep = { inner: deep };
    const error = refusal(() => {
      assertDocumentWithinLimits({ params: deep }, limits, 'body');
    });
    expect(error.code).toBe('FLOW-1482-400');
    expect(error.message).toContain('32');
  });

  it('accepts exactly the maximum depth', () => {
    let document: unknown = 'leaf';
    for (let index = 0; index < 32; index += 1) document = [document];
    expect(() => {
      assertDocumentWithinLimits(document, limits);
    }).not.toThrow();
    expect(() => {
      assertDocumentWithinLimits([document], limits);
    }).toThrow(AppError);
  });

  it('bounds the size of a whole document as JSON', () => {
    expect(() => {
      assertDocumentSize({ a: 'x'.repeat(100) }, limits, 'The entity');
    }).not.toThrow();
    const error = refusal(() => {
      assertDocumentSize({ a: 'é'.repeat(600) }, limits, 'The entity');
    });
    expect(error.code).toBe('FLOW-1483-413');
    expect(error.status).toBe(413);
  });

  it('bounds name and description as the route schemas do', () => {
    expect(() => {
      assertNameAndDescription({ name: 'n'.repeat(256), description: 'd'.repeat(4096) });
    }).not.toThrow();
    expect(
      refusal(() => {
        assertNameAndDescription({ name: 'n'.repeat(257) });
      }).message,
    ).toContain("'name'");
    expect(
      refusal(() => {
        assertNameAndDescription({ description: 'd'.repeat(4097) });
      }).code,
    ).toBe('FLOW-1481-400');
  });
});
