/**
 * IP addresses and ranges as the egress policy judges them.
 *
 * Guarantees:
 * - an IPv4-mapped address (`::ffff:a.b.c.d`) IS the IPv4 address it carries (the kernel connects to it);
 * - every other IPv6 form that embeds an IPv4 address yields that address too, so that it is judged as
 *   well as the IPv6 address: IPv4-compatible `::a.b.c.d` (::/96 but :: and ::1), IPv4-translated `::ffff:0:a.b.c.d`
 *   (::ffff:0:0/96), NAT64 `64:ff9b::/96` (RFC 6052), 6to4 `2002::/16` (bits 16–47), Teredo `2001::/32`
 *   (the server in bits 32–63 and the client, inverted, in bits 96–127) and ISATAP interface identifiers
 *   (`…:0:5efe:a.b.c.d`, `…:200:5efe:a.b.c.d`);
 * - the private ranges cover loopback, RFC 1918, link-local (169.254.169.254, the cloud metadata endpoint),
 *   CGNAT, "this network", multicast, broadcast, reserved and benchmarking space, and in IPv6 loopback,
 *   unspecified, unique-local, site-local, link-local, multicast, discard-only and the local-use NAT64
 *   prefix 64:ff9b:1::/48 (whose embedding depends on the operator's prefix length, so all of it is refused).
 */
import { isIP } from 'node:net';

export interface Address {
  readonly family: 4 | 6;
  readonly value: bigint;
  readonly text: string;
}

export interface Range {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly bits: number;
}

const ipv4ToBigInt = (text: string): bigint =>
  text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);

const ipv4Text = (value: bigint): string =>
  [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

/** Parses an IPv6 literal (already validated by isIP) into 128 bits; handles `::` and a dotted IPv4 tail. */
export const ipv6ToBigInt = (text: string): bigint => {
  let head = text;
  let tail: bigint[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (dotted?.[1] !== undefined) {
    const v4 = ipv4ToBigInt(dotted[1]);
    tail = [v4 >> 16n, v4 & 0xffffn];
    head = head.slice(0, head.length - dotted[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::');
  const groups = (s: string): bigint[] => (s === '' ? [] : s.split(':').map((g) => BigInt(parseInt(g, 16))));
  const l = groups(left);
  const r = right === undefined ? [] : groups(right);
  const missing = 8 - l.length - r.length - tail.length;
  const all = [...l, ...Array<bigint>(right === undefined ? 0 : missing).fill(0n), ...r, ...tail];
  return all.reduce((acc, g) => (acc << 16n) | g, 0n);
};

const MAPPED = 0xffffn;

/** Parses an IP literal (brackets and an IPv6 zone id allowed); a mapped IPv6 address becomes IPv4. */
export const parseAddress = (raw: string): Address | undefined => {
  const bare = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  const text = bare.replace(/%.*$/, '');
  const family = isIP(text);
  if (family === 4) return { family: 4, value: ipv4ToBigInt(text), text };
  if (family !== 6) return undefined;
  const value = ipv6ToBigInt(text);
  if (value >> 32n === MAPPED) {
    const v4 = value & 0xffffffffn;
    return { family: 4, value: v4, text: ipv4Text(v4) };
  }
  return { family: 6, value, text };
};

const v4 = (value: bigint): Address => ({ family: 4, value, text: ipv4Text(value & 0xffffffffn) });
const bitsAt = (value: bigint, from: number, count: number): bigint =>
  (value >> BigInt(128 - from - count)) & ((1n << BigInt(count)) - 1n);

/** The IPv4 addresses an IPv6 address embeds (see the guarantees above); empty for IPv4 and plain IPv6. */
export function embeddedIpv4(address: Address): Address[] {
  if (address.family === 4) return [];
  const value = address.value;
  const low32 = value & 0xffffffffn;
  const embedded: Address[] = [];
  // ::a.b.c.d, except :: and ::1 themselves (the IPv6 unspecified and loopback addresses).
  if (value >> 32n === 0n && value > 1n) embedded.push(v4(low32));
  if (value >> 32n === 0xffff0000n) embedded.push(v4(low32)); // ::ffff:0:a.b.c.d
  if (value >> 32n === 0x0064ff9b0000000000000000n) embedded.push(v4(low32)); // 64:ff9b::/96
  if (bitsAt(value, 0, 16) === 0x2002n) embedded.push(v4(bitsAt(value, 16, 32))); // 6to4
  if (bitsAt(value, 0, 32) === 0x20010000n) {
    embedded.push(v4(bitsAt(value, 32, 32)), v4(low32 ^ 0xffffffffn)); // Teredo server and client
  }
  const interfaceId = bitsAt(value, 64, 32);
  if (interfaceId === 0x00005efen || interfaceId === 0x02005efen) embedded.push(v4(low32)); // ISATAP
  return embedded;
}

export const mask = (value: bigint, bits: number, width: number): bigint =>
  bits === 0 ? 0n : (value >> BigInt(width - bits)) << BigInt(width - bits);

export const inRange = (address: Address, range: Range): boolean =>
  address.family === range.family &&
  mask(address.value, range.bits, address.family === 4 ? 32 : 128) === range.base;

/** A CIDR range or single address; a mapped IPv6 range (::ffff:0:0/96 and narrower) is the IPv4 range. */
export const parseRange = (pattern: string): Range | undefined => {
  const slash = pattern.indexOf('/');
  const addressText = slash === -1 ? pattern : pattern.slice(0, slash);
  const address = parseAddress(addressText);
  if (address === undefined) return undefined;
  const rawFamily = isIP(addressText.replace(/^\[|\]$/g, ''));
  const width = rawFamily === 4 ? 32 : 128;
  let bits = width;
  if (slash !== -1) {
    const prefix = pattern.slice(slash + 1);
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > width) return undefined;
    bits = Number(prefix);
  }
  if (address.family === 4 && rawFamily === 6) {
    if (bits < 96) return { family: 6, base: mask(ipv6ToBigInt(addressText), bits, 128), bits };
    bits -= 96;
  }
  const familyWidth = address.family === 4 ? 32 : 128;
  return { family: address.family, base: mask(address.value, bits, familyWidth), bits };
};

/** The ranges refused by default in production (SLUICE_EGRESS_DENY_PRIVATE), with what they are. */
export const PRIVATE_RANGES: readonly { readonly range: Range; readonly reason: string }[] = [
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['10.0.0.0/8', 'a private address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.168.0.0/16', 'a private address'],
  ['169.254.0.0/16', 'a link-local address (this range holds the cloud metadata endpoint 169.254.169.254)'],
  ['100.64.0.0/10', 'a carrier-grade NAT (shared) address'],
  ['192.0.0.0/24', 'an IETF protocol address'],
  ['198.18.0.0/15', 'a benchmarking (internal test network) address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['fc00::/7', 'a private (unique local) address'],
  ['fec0::/10', 'a site-local address'],
  ['fe80::/10', 'a link-local address'],
  ['ff00::/8', 'a multicast address'],
  ['100::/64', 'a discard-only address'],
  ['64:ff9b:1::/48', 'a local-use NAT64 address'],
].map(([cidr = '', reason = '']) => ({ range: parseRange(cidr) as Range, reason }));

/** Why an address itself (not what it embeds) is private; undefined for a public address. */
export function privateReason(address: Address): string | undefined {
  return PRIVATE_RANGES.find((entry) => inRange(address, entry.range))?.reason;
}
