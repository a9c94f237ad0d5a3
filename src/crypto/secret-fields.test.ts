import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from './secret-box.ts';
import {
  SECRET_MASK,
  isSealed,
  maskSecrets,
  openSecrets,
  sealSecrets,
  secretPaths,
  secretValues,
} from './secret-fields.ts';

// Shaped like an authSpec `spec`, with a nested object, an array and a oneOf branch.
const schema = {
  type: 'object',
  properties: {
    host: { type: 'string' },
    accessToken: { type: 'string', format: 'password' },
    proxy: {
      type: 'object',
      properties: { url: { type: 'string' }, password: { type: 'string', format: 'password' } },
    },
    extraKeys: {
      type: 'array',
      items: { type: 'object', properties: { key: { type: 'string', format: 'password' } } },
    },
  },
  oneOf: [{ properties: { sasToken: { type: 'string', format: 'password' } } }],
};

const params = {
  host: 'adb-1.azuredatabricks.net',
  accessToken: 'dapi-secret-1',
  proxy: { url: 'http://proxy', password: 'proxy-secret' },
  // Secrets long enough that random ciphertext (base64) cannot contain them by chance.
  extraKeys: [{ key: 'extra-key-one' }, { key: 'extra-key-two' }],
};

const box = createSecretBox(randomBytes(32));

describe('secret fields', () => {
  it('finds every format: password path, nested, in arrays and in branches', () => {
    expect(secretPaths(schema)).toEqual([
      ['accessToken'],
      ['proxy', 'password'],
      ['extraKeys', '*', 'key'],
      ['sasToken'],
    ]);
    expect(secretPaths({ type: 'object', properties: { a: { type: 'string' } } })).toEqual([]);
  });

  it('seals each secret and opens it back, leaving other fields and the input untouched', () => {
    const before = structuredClone(params);
    const sealed = sealSecrets(schema, params, box);
    expect(params).toEqual(before);
    expect(sealed.host).toBe(params.host);
    expect(sealed.proxy.url).toBe('http://proxy');
    expect(isSealed(sealed.accessToken)).toBe(true);
    expect(isSealed(sealed.proxy.password)).toBe(true);
    expect(isSealed(sealed.extraKeys[1]!.key)).toBe(true);
    const text = JSON.stringify(sealed);
    for (const secret of ['dapi-secret-1', 'proxy-secret', 'extra-key-one', 'extra-key-two'])
      expect(text).not.toContain(secret);
    expect(openSecrets(schema, sealed, box)).toEqual(params);
  });

  it('sealing twice keeps one layer; opening plaintext leaves it as it is', () => {
    const sealed = sealSecrets(schema, params, box);
    expect(sealSecrets(schema, sealed, box)).toEqual(sealed);
    expect(openSecrets(schema, params, box)).toEqual(params);
  });

  it('fails to open with a different key without leaking the secret', () => {
    const sealed = sealSecrets(schema, params, box);
    const other = createSecretBox(randomBytes(32));
    expect(() => openSecrets(schema, sealed, other)).toThrow(/cannot be decrypted/);
  });

  it('masks nested secrets, sealed or plain, and only present ones', () => {
    const masked = maskSecrets(schema, { ...params, proxy: { url: 'u' } });
    expect(masked).toEqual({
      host: params.host,
      accessToken: SECRET_MASK,
      proxy: { url: 'u' },
      extraKeys: [{ key: SECRET_MASK }, { key: SECRET_MASK }],
    });
    const maskedSealed = maskSecrets(schema, sealSecrets(schema, params, box));
    expect(maskedSealed.proxy.password).toBe(SECRET_MASK);
    expect(SECRET_MASK).toBe('********');
  });

  it('masks without touching its input: only the containers on the way to a secret are new', () => {
    const deepFreeze = <T>(value: T): T => {
      if (typeof value === 'object' && value !== null) {
        for (const child of Object.values(value)) deepFreeze(child);
        Object.freeze(value);
      }
      return value;
    };
    const input = deepFreeze({
      ...structuredClone(params),
      other: { nested: [1, { deep: 'kept' }] },
      extraKeys: [{ key: 'k1', label: { text: 'a' } }, { label: { text: 'b' } }, 'not-an-object'],
    });
    const before = structuredClone(input);
    const masked = maskSecrets(schema, input);
    expect(input).toEqual(before);
    expect(masked).toEqual({
      ...before,
      accessToken: SECRET_MASK,
      proxy: { ...before.proxy, password: SECRET_MASK },
      extraKeys: [{ key: SECRET_MASK, label: { text: 'a' } }, { label: { text: 'b' } }, 'not-an-object'],
    });
    expect(masked).not.toBe(input);
    expect(masked.other).toBe(input.other);
    expect(masked.extraKeys[1]).toBe(input.extraKeys[1]);
    expect(masked.extraKeys).not.toBe(input.extraKeys);
    const noSecrets = deepFreeze({ host: 'h', proxy: { url: 'u' } });
    expect(maskSecrets(schema, noSecrets)).toEqual({ host: 'h', proxy: { url: 'u' } });
    expect(maskSecrets(schema, JSON.parse('{"__proto__": {"password": "p"}, "accessToken": "t"}'))).toEqual(
      JSON.parse('{"__proto__": {"password": "p"}, "accessToken": "********"}'),
    );
  });

  it('lists the plaintext secret values for log scrubbing', () => {
    expect(secretValues(schema, params).sort()).toEqual([
      'dapi-secret-1',
      'extra-key-one',
      'extra-key-two',
      'proxy-secret',
    ]);
    expect(secretValues(schema, sealSecrets(schema, params, box))).toEqual([]);
    expect(secretValues(schema, Object.freeze({ accessToken: '' }))).toEqual([]);
  });
});
