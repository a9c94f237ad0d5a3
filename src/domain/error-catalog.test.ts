import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalog, errorCodes } from './error-catalog.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const rows = [...doc.matchAll(/^\| `([A-Z]+-\d+-\d+)` \| (\d+) \| ([^|]+) \|/gm)].map((match) => ({
  code: match[1] ?? '',
  status: Number(match[2]),
  title: (match[3] ?? '').trim(),
}));

describe('error catalogue', () => {
  it('documents every code in docs/errors.md with its status and title', () => {
    for (const code of errorCodes) {
      const row = rows.find((candidate) => candidate.code === code);
      expect(row, `${code} missing from docs/errors.md`).toBeDefined();
      expect(row?.status, code).toBe(errorCatalog[code].status);
      expect(row?.title, code).toBe(errorCatalog[code].title);
    }
  });

  it('has no documented code that the catalogue lacks', () => {
    const known = new Set<string>(errorCodes);
    expect(rows.map((row) => row.code).filter((code) => !known.has(code))).toEqual([]);
    expect(rows.length).toBe(errorCodes.length);
  });

  it('encodes the HTTP status in each code and keeps fault classes consistent', () => {
    for (const code of errorCodes) {
      const { status, fault } = errorCatalog[code];
      expect(code.endsWith(`-${status}`), code).toBe(true);
      if (fault === 'client') expect(status, code).toBeLessThan(500);
      else expect(status, code).toBeGreaterThanOrEqual(500);
    }
  });
});
