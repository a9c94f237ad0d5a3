/**
 * Ways of writing a private, loopback or metadata destination that the egress policy must refuse in
 * production: IPv4 literals, IPv6 literals and every IPv6 form that embeds an IPv4 address, and the
 * spellings a URL parser turns into one of those. Shared by the in-process policy test and the test that
 * runs the real connectors in a network namespace with only loopback up.
 */

/** Hosts as a connector hands them to the policy (a URL's hostname, brackets removed). */
export const REFUSED_ADDRESSES: readonly string[] = [
  // IPv4
  '127.0.0.1',
  '127.0.0.2',
  '127.255.255.254',
  '0.0.0.0',
  '0.1.2.3',
  '10.0.0.1',
  '10.255.255.255',
  '172.16.0.1',
  '172.31.255.254',
  '192.168.0.1',
  '192.168.255.254',
  '169.254.169.254',
  '169.254.0.1',
  '100.64.0.1',
  '100.127.255.254',
  '192.0.0.8',
  '198.18.0.1',
  '198.19.255.254',
  '224.0.0.1',
  '239.255.255.250',
  '240.0.0.1',
  '255.255.255.255',
  // IPv6
  '::1',
  '0:0:0:0:0:0:0:1',
  '::',
  'fc00::1',
  'fd12:3456:789a::1',
  'fec0::1',
  'fe80::1',
  'fe80::1%lo',
  'febf:ffff::1',
  'ff02::1',
  'ff05::2',
  '100::1',
  // IPv4-mapped
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::FFFF:127.0.0.1',
  '0:0:0:0:0:ffff:7f00:1',
  '::ffff:a9fe:a9fe',
  '::ffff:10.0.0.1',
  '::ffff:0.0.0.0',
  // IPv4-compatible (deprecated)
  '::127.0.0.1',
  '::7f00:1',
  '::a9fe:a9fe',
  '::10.0.0.1',
  '::192.168.1.1',
  // IPv4-translated (SIIT)
  '::ffff:0:127.0.0.1',
  '::ffff:0:7f00:1',
  '::ffff:0:a9fe:a9fe',
  // NAT64 well-known prefix
  '64:ff9b::127.0.0.1',
  '64:ff9b::7f00:1',
  '64:ff9b::a9fe:a9fe',
  '64:ff9b::10.0.0.1',
  '64:ff9b::c0a8:101',
  '64:ff9b::ac10:1',
  '64:ff9b::6440:1',
  // NAT64 local-use prefix (RFC 8215)
  '64:ff9b:1::7f00:1',
  '64:ff9b:1::1',
  '64:ff9b:1:ffff::1',
  // 6to4
  '2002:7f00:1::1',
  '2002:7f00:0001:0000::',
  '2002:a9fe:a9fe::1',
  '2002:a00:1::1',
  '2002:c0a8:101::1',
  // Teredo: the client (inverted) or the server is private
  '2001:0:4136:e378:8000:63bf:80ff:fffe',
  '2001:0:4136:e378:8000:63bf:5601:5601',
  '2001:0:a00:1::1',
  '2001:0000:7f00:0001::',
  // ISATAP interface identifiers
  '2600::5efe:7f00:1',
  '2600::200:5efe:a9fe:a9fe',
  'fe80::5efe:7f00:1',
];

/** URL spellings the WHATWG parser normalises to a refused address (what `domain` may hold). */
export const REFUSED_URLS: readonly string[] = [
  'https://127.1',
  'https://127.0.1',
  'https://2130706433',
  'https://0x7f000001',
  'https://0x7f.0.0.1',
  'https://0177.0.0.1',
  'https://017700000001',
  'https://0',
  'https://[::1]',
  'https://[::ffff:127.0.0.1]',
  'https://[64:ff9b::127.0.0.1]',
  'https://user@127.0.0.1',
  'https://127.0.0.1:22',
  'https://169.254.169.254/latest/meta-data',
  'https://LOCALHOST',
  'https://localhost.',
];

/** Public addresses, including embedding forms of public IPv4 addresses, that production allows. */
export const ALLOWED_ADDRESSES: readonly string[] = [
  '8.8.8.8',
  '20.1.2.3',
  '172.32.0.1',
  '100.128.0.1',
  '2001:db8::5',
  '2606:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];
