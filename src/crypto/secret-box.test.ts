import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, isSecretToken, keyIdOf } from './secret-box.ts';

const key = randomBytes(32);
const box = createSecretBox(key);

describe('createSecretBox', () => {
  it('round-trips text, including empty and non-ASCII strings', () => {
    for (const plain of ['', 'dapi0123456789abcdef', 'pässwörd ✓ 🔑', 'x'.repeat(10_000)]) {
      const token = box.encrypt(plain);
      expect(isSecretToken(token)).toBe(true);
      expect(box.decrypt(token)).toBe(plain);
    }
  });

  it('makes v1.<keyId>.<payload> tokens with a fresh IV each time', () => {
    const first = box.encrypt('same');
    const second = box.encrypt('same');
    expect(first).not.toBe(second);
    expect(first.split('.')[0]).toBe('v1');
    expect(first.split('.')[1]).toBe(keyIdOf(key));
    expect(box.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(first).not.toContain('same');
  });

  it('refuses a tampered token without revealing the plaintext', () => {
    const token = box.encrypt('top-secret-value');
    const [version, id, payload] = token.split('.') as [string, string, string];
    const raw = Buffer.from(payload, 'base64url');
    for (const index of [0, 13, raw.length - 1]) {
      const bent = Buffer.from(raw);
      bent[index] = bent[index]! ^ 1;
      expect(() => box.decrypt(`${version}.${id}.${bent.toString('base64url')}`)).toThrow(
        /cannot be decrypted/,
      );
    }
    expect(() => box.decrypt(`${version}.${id}.${payload.slice(0, 10)}`)).toThrow(/cannot be decrypted/);
    expect(() => box.decrypt('not a token')).toThrow(/malformed token/);
    try {
      box.decrypt(`${version}.${id}.${payload.slice(0, -2)}AA`);
    } catch (error) {
      expect(String(error)).not.toContain('top-secret-value');
    }
  });

  it('refuses a token sealed with another key, naming both key ids', () => {
    const other = createSecretBox(randomBytes(32));
    const token = other.encrypt('x');
    expect(() => box.decrypt(token)).toThrow(
      `secret cannot be decrypted with the configured key (key id ${box.keyId}; the secret was sealed with key id ${other.keyId})`,
    );
    // Relabelling the token with our key id does not help: the header is authenticated.
    const relabelled = token.replace(`.${other.keyId}.`, `.${box.keyId}.`);
    expect(() => box.decrypt(relabelled)).toThrow(/cannot be decrypted/);
  });

  it('decrypts tokens of previous keys and encrypts with the current one', () => {
    const oldKey = randomBytes(32);
    const oldToken = createSecretBox(oldKey).encrypt('legacy');
    const rotated = createSecretBox(randomBytes(32), { previous: [oldKey] });
    expect(rotated.decrypt(oldToken)).toBe('legacy');
    expect(rotated.encrypt('new').split('.')[1]).toBe(rotated.keyId);
    expect(rotated.keyId).not.toBe(keyIdOf(oldKey));
  });

  it('requires 32-byte keys', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow('The encryption key must be 32 bytes, got 16');
    expect(() => createSecretBox(key, { previous: [randomBytes(31)] })).toThrow(/previous encryption key/);
  });
});
