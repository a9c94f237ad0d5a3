import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, parseSecret, secretMatches } from './tokens.ts';

describe('tokens', () => {
  it('generates <prefix>_<id>_<secret> values that parse back', () => {
    const generated = generateSecret('slk');
    expect(generated.id).toMatch(/^[0-9a-f]{12}$/);
    expect(Buffer.from(generated.secret, 'base64url')).toHaveLength(32);
    expect(generated.value).toBe(`slk_${generated.id}_${generated.secret}`);
    expect(parseSecret('slk', generated.value)).toEqual({ id: generated.id, secret: generated.secret });
    expect(generateSecret('slk').value).not.toBe(generated.value);
  });

  it('parses prefixes containing underscores and secrets containing them', () => {
    for (let i = 0; i < 50; i += 1) {
      const generated = generateSecret('sluice_key');
      expect(parseSecret('sluice_key', generated.value)).toEqual({
        id: generated.id,
        secret: generated.secret,
      });
    }
  });

  it('rejects values of another prefix or shape', () => {
    const { value, id, secret } = generateSecret('slk');
    expect(parseSecret('abc', value)).toBeUndefined();
    expect(parseSecret('slk', value.slice(0, -1))).toBeUndefined();
    expect(parseSecret('slk', `${value}x`)).toBeUndefined();
    expect(parseSecret('slk', `slk_${id.toUpperCase()}_${secret}`)).toBeUndefined();
    expect(parseSecret('slk', `slk_${id}-${secret}`)).toBeUndefined();
    expect(parseSecret('slk', '')).toBeUndefined();
    expect(() => generateSecret('bad prefix')).toThrow(/prefix/);
  });

  it('hashes with sha256 and matches only the same secret', () => {
    const { secret } = generateSecret('slk');
    const hash = hashSecret(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(`${secret}x`, hash)).toBe(false);
    // Equal-length digests that differ in one bit are compared (timingSafeEqual) and refused.
    const flipped = (parseInt(hash.charAt(63), 16) ^ 1).toString(16);
    expect(secretMatches(secret, hash.slice(0, 63) + flipped)).toBe(false);
    expect(secretMatches(secret, hash.slice(0, 62))).toBe(false);
    expect(secretMatches(secret, hash.toUpperCase())).toBe(false);
  });
});
