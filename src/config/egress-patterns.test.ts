import { describe, expect, it } from 'vitest';
// The connectors' policy is the authority on the grammar; config keeps a local copy because it may
// import only domain (DESIGN.md §3). This test keeps the two from drifting apart.
import { parseEgressList } from '../connectors/egress.ts';
import { checkEgressPattern } from './egress-patterns.ts';

const samples = [
  'example.com',
  'Example.COM.',
  '*.azuredatabricks.net',
  '*.',
  '*',
  '*.*.com',
  '10.0.0.0/8',
  '10.0.0.0/33',
  '1.2.3.4/0',
  '1.2.3.4/',
  '999.1.1.1',
  '1.2.3',
  '[::1]',
  '::1',
  '::1/128',
  '::1/129',
  '[::1]/64',
  'fd00::/8',
  '::ffff:10.0.0.0/104',
  'bad_host!',
  'a..b',
  '-a.com',
  'a-.com',
  'xn--bcher-kva.example',
  'localhost',
  `${'a'.repeat(64)}.com`,
  'host:80',
];

describe('checkEgressPattern', () => {
  it('accepts and normalises exactly what the egress policy accepts', () => {
    for (const sample of samples) {
      let expected: string | undefined;
      try {
        expected = parseEgressList(sample)[0];
      } catch {
        expected = undefined;
      }
      expect([sample, checkEgressPattern(sample)]).toEqual([sample, expected]);
    }
  });

  it('accepts hostnames, wildcards, addresses and ranges; refuses the rest', () => {
    expect(checkEgressPattern(' Adb-1.AzureDatabricks.net. ')).toBe('adb-1.azuredatabricks.net');
    expect(checkEgressPattern('*.blob.core.windows.net')).toBe('*.blob.core.windows.net');
    expect(checkEgressPattern('192.168.0.0/16')).toBe('192.168.0.0/16');
    expect(checkEgressPattern('2001:db8::/32')).toBe('2001:db8::/32');
    expect(checkEgressPattern('http://example.com')).toBeUndefined();
    expect(checkEgressPattern('256.0.0.1')).toBeUndefined();
  });
});
