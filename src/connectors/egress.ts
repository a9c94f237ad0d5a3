/**
 * The outbound (egress) policy: which hosts a connector may open connections to. A connection is refused
 * before any byte is sent, so a connection test cannot be used to probe the private network or the cloud
 * metadata endpoint (SSRF).
 *
 * Guarantees:
 * - the host is resolved and EVERY address it resolves to is checked (one private address is enough to refuse);
 * - precedence: an explicit deny (host or address) always wins; then an explicit allow (host pattern or
 *   address range) permits; then the default applies: with `denyPrivate`, loopback, private, link-local (incl.
 *   169.254.169.254), CGNAT, unspecified and multicast addresses are refused, anything else is allowed;
 * - an allow list does not turn the policy into an allow-only list: it lists exceptions to the default;
 * - IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are judged as the IPv4 address they carry.
 *
 * Known limit: the address is checked here and resolved again by the client that connects afterwards, so a
 * DNS answer that changes in between (rebinding) is not caught.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AppError } from '../domain/errors.ts';
import type { EgressPolicy } from './connector.ts';

export interface EgressOptions {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  readonly denyPrivate: boolean;
  /** Resolves a hostname to all its addresses; defaults to dns.lookup with `all: true`. */
  readonly resolve?: (host: string) => Promise<string[]>;
}

type Rule =
  | { readonly kind: 'host'; readonly pattern: string; readonly host: string }
  | { readonly kind: 'suffix'; readonly pattern: string; readonly suffix: string }
  | { readonly kind: 'range'; readonly pattern: string; readonly range: Range };

interface Range {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly bits: number;
}

interface Address {
  readonly family: 4 | 6;
  readonly value: bigint;
  readonly text: string;
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

const isHostname = (value: string): boolean =>
  value.length <= 253 && value.split('.').every((label) => HOST_LABEL.test(label));

const ipv4ToBigInt = (text: string): bigint =>
  text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);

/** Parses an IPv6 literal (already validated by isIP) into 128 bits; handles `::` and a dotted IPv4 tail. */
const ipv6ToBigInt = (text: string): bigint => {
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

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an IP literal; an IPv4-mapped IPv6 address becomes the IPv4 address it carries. */
const parseAddress = (raw: string): Address | undefined => {
  const text = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  const family = isIP(text);
  if (family === 4) return { family: 4, value: ipv4ToBigInt(text), text };
  if (family !== 6) return undefined;
  const value = ipv6ToBigInt(text);
  if (value >> 32n === MAPPED_PREFIX >> 32n) {
    const v4 = value & 0xffffffffn;
    const dotted = [24n, 16n, 8n, 0n].map((s) => String((v4 >> s) & 0xffn)).join('.');
    return { family: 4, value: v4, text: dotted };
  }
  return { family: 6, value, text };
};

const parseRange = (pattern: string): Range | undefined => {
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
  // A mapped IPv6 range (::ffff:0:0/96 and narrower) is the IPv4 range it carries.
  if (address.family === 4 && rawFamily === 6) {
    if (bits < 96) return { family: 6, base: mask(ipv6ToBigInt(addressText), bits, 128), bits };
    bits -= 96;
  }
  const familyWidth = address.family === 4 ? 32 : 128;
  return { family: address.family, base: mask(address.value, bits, familyWidth), bits };
};

const mask = (value: bigint, bits: number, width: number): bigint =>
  bits === 0 ? 0n : (value >> BigInt(width - bits)) << BigInt(width - bits);

const inRange = (address: Address, range: Range): boolean =>
  address.family === range.family &&
  mask(address.value, range.bits, address.family === 4 ? 32 : 128) === range.base;

const normalizeHost = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');

const parseRule = (raw: string): Rule => {
  const pattern = normalizeHost(raw);
  const range = parseRange(pattern);
  if (range !== undefined) return { kind: 'range', pattern, range };
  if (pattern.startsWith('*.') && isHostname(pattern.slice(2)) && pattern.length > 2) {
    return { kind: 'suffix', pattern, suffix: pattern.slice(1) };
  }
  if (isHostname(pattern) && !/^[\d.]+$/.test(pattern)) return { kind: 'host', pattern, host: pattern };
  throw new Error(
    `invalid egress pattern "${raw}": expected a hostname, *.suffix, an IPv4/IPv6 address or a CIDR range`,
  );
};

/** Splits a comma- or space-separated setting (SLUICE_EGRESS_ALLOW/DENY) and validates every pattern. */
export const parseEgressList = (value: string): string[] => {
  const patterns = value.split(/[\s,]+/).filter((p) => p !== '');
  return patterns.map((p) => parseRule(p).pattern);
};

/** The default-denied ranges (denyPrivate). */
const PRIVATE_RANGES: readonly { readonly range: Range; readonly reason: string }[] = [
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['10.0.0.0/8', 'a private address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.168.0.0/16', 'a private address'],
  ['169.254.0.0/16', 'a link-local address (this range holds the cloud metadata endpoint 169.254.169.254)'],
  ['100.64.0.0/10', 'a carrier-grade NAT (shared) address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['fc00::/7', 'a private (unique local) address'],
  ['fe80::/10', 'a link-local address'],
  ['ff00::/8', 'a multicast address'],
].map(([cidr = '', reason = '']) => ({ range: parseRange(cidr) as Range, reason }));

const hostMatches = (rule: Rule, host: string): boolean =>
  (rule.kind === 'host' && rule.host === host) || (rule.kind === 'suffix' && host.endsWith(rule.suffix));

const addressMatches = (rule: Rule, address: Address): boolean =>
  rule.kind === 'range' && inRange(address, rule.range);

const defaultResolve = async (host: string): Promise<string[]> => {
  const answers = await lookup(host, { all: true, order: 'verbatim' });
  return answers.map((a) => a.address);
};

const refuse = (host: string, port: number, why: string): AppError =>
  new AppError('CONNECTOR-1309-400', `Outbound connections to ${host}:${port} are not allowed: ${why}.`, {
    host,
    port,
  });

export const createEgressPolicy = (options: EgressOptions): EgressPolicy => {
  const allow = options.allow.map(parseRule);
  const deny = options.deny.map(parseRule);
  const resolve = options.resolve ?? defaultResolve;

  return {
    async assertAllowed(rawHost: string, port: number): Promise<void> {
      const host = normalizeHost(rawHost).replace(/^\[|\]$/g, '');
      const literal = parseAddress(host);
      const deniedHost = literal === undefined ? deny.find((rule) => hostMatches(rule, host)) : undefined;
      if (deniedHost !== undefined) {
        throw refuse(
          host,
          port,
          `it matches "${deniedHost.pattern}" in SLUICE_EGRESS_DENY, which wins over SLUICE_EGRESS_ALLOW`,
        );
      }
      const allowedHost = literal === undefined && allow.some((rule) => hostMatches(rule, host));
      const addresses = literal !== undefined ? [literal] : await resolveAll(host, port, resolve);

      for (const address of addresses) {
        const denied = deny.find((rule) => addressMatches(rule, address));
        if (denied !== undefined) {
          throw refuse(
            host,
            port,
            `${address.text} matches "${denied.pattern}" in SLUICE_EGRESS_DENY, which wins over SLUICE_EGRESS_ALLOW`,
          );
        }
        if (allowedHost || allow.some((rule) => addressMatches(rule, address))) continue;
        if (!options.denyPrivate) continue;
        const blocked = PRIVATE_RANGES.find((p) => inRange(address, p.range));
        if (blocked !== undefined) {
          const name = literal === undefined ? `"${host}" or ` : '';
          throw refuse(
            host,
            port,
            `${literal === undefined ? `it resolves to ${address.text}, ` : ''}${blocked.reason}; ` +
              `to allow it, add ${name}"${address.text}" to SLUICE_EGRESS_ALLOW`,
          );
        }
      }
    },
  };
};

const resolveAll = async (
  host: string,
  port: number,
  resolve: (host: string) => Promise<string[]>,
): Promise<Address[]> => {
  let answers: string[];
  try {
    answers = await resolve(host);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const permanent = code === 'ENOTFOUND' || code === 'ENODATA';
    throw new AppError(
      permanent ? 'CONNECTOR-1308-400' : 'CONNECTOR-1502-502',
      `The host ${host} could not be resolved (${typeof code === 'string' ? code : 'DNS error'}); check the name.`,
      { host, port },
      { cause: error },
    );
  }
  const addresses = answers.map(parseAddress);
  if (addresses.length === 0 || addresses.some((a) => a === undefined)) {
    throw refuse(host, port, 'its DNS answer is empty or not an IP address');
  }
  return addresses as Address[];
};
