import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard's address policy (design.md §5). MX records are chosen by
 * strangers, so an MX pointing at 127.0.0.1, 10.0.0.5 or the cloud metadata
 * service would turn the verifier into an internal port scanner. Only globally
 * routable unicast addresses may be dialled.
 *
 * The table is our own (not ipaddr.js's `range()` names) so range names are
 * stable across library versions and every entry cites its source.
 */

/** Range name returned for an address that may be dialled. */
export const PUBLIC_RANGE = 'public';
/** Range name returned for text that is not an IP literal. */
export const INVALID_RANGE = 'invalid';

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];
type RangeTable = ReadonlyArray<readonly [name: string, cidrs: readonly string[]]>;

// Checked first so the metadata endpoints get their own name instead of the
// broader range (link-local, ULA, CGNAT) they sit in.
const METADATA: RangeTable = [
  [
    'cloudMetadata',
    [
      '169.254.169.254/32', // AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle instance metadata
      '169.254.170.2/32', // AWS ECS task metadata / credentials
      '100.100.100.200/32', // Alibaba Cloud metadata
      '192.0.0.192/32', // Oracle Cloud (legacy) metadata
      'fd00:ec2::254/128', // AWS IMDS over IPv6 (Nitro)
    ],
  ],
];

const IPV4_RANGES: RangeTable = [
  ['unspecified', ['0.0.0.0/8']], // RFC 1122 "this network"
  ['broadcast', ['255.255.255.255/32']], // RFC 919 limited broadcast
  ['loopback', ['127.0.0.0/8']], // RFC 1122
  ['private', ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']], // RFC 1918
  ['carrierGradeNat', ['100.64.0.0/10']], // RFC 6598 shared address space
  ['linkLocal', ['169.254.0.0/16']], // RFC 3927
  ['documentation', ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']], // RFC 5737
  ['benchmarking', ['198.18.0.0/15']], // RFC 2544
  ['multicast', ['224.0.0.0/4']], // RFC 5771
  [
    'reserved',
    [
      '192.0.0.0/24', // RFC 6890 IETF protocol assignments
      '192.88.99.0/24', // RFC 7526 deprecated 6to4 relay anycast
      '240.0.0.0/4', // RFC 1112 reserved for future use
    ],
  ],
];

const IPV6_RANGES: RangeTable = [
  ['unspecified', ['::/128']], // RFC 4291
  ['loopback', ['::1/128']], // RFC 4291
  ['linkLocal', ['fe80::/10']], // RFC 4291
  ['siteLocal', ['fec0::/10']], // RFC 3879 (deprecated, still not global)
  ['uniqueLocal', ['fc00::/7']], // RFC 4193, the IPv6 "private" range
  ['multicast', ['ff00::/8']], // RFC 4291
  ['documentation', ['2001:db8::/32', '3fff::/20']], // RFC 3849, RFC 9637
  ['benchmarking', ['2001:2::/48']], // RFC 5180
  ['discard', ['100::/64']], // RFC 6666
  ['nat64LocalUse', ['64:ff9b:1::/48']], // RFC 8215: translates into a local network
  [
    'reserved',
    [
      '2001::/23', // RFC 2928 IETF protocol assignments (Teredo is handled before this)
      '5f00::/16', // RFC 9602 SRv6 SIDs
    ],
  ],
];

function compile(table: RangeTable): Array<[string, Cidr[]]> {
  return table.map(([name, cidrs]) => [name, cidrs.map((c) => ipaddr.parseCIDR(c) as Cidr)]);
}

const METADATA_CIDRS = compile(METADATA);
const IPV4_CIDRS = compile(IPV4_RANGES);
const IPV6_CIDRS = compile(IPV6_RANGES);
// Everything routable on the IPv6 internet is allocated from 2000::/3; any
// address outside it is unallocated or special, so it is refused by default.
const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3') as Cidr;

// IPv6 forms that carry an IPv4 address: the packet ends up at that IPv4
// address, so the IPv4 is what the policy must judge.
const IPV4_MAPPED = ipaddr.parseCIDR('::ffff:0:0/96') as Cidr; // RFC 4291
const IPV4_TRANSLATED = ipaddr.parseCIDR('::ffff:0:0:0/96') as Cidr; // RFC 6145 / 2765
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96') as Cidr; // RFC 4291 (deprecated)
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96') as Cidr; // RFC 6052
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16') as Cidr; // RFC 3056
const TEREDO = ipaddr.parseCIDR('2001::/32') as Cidr; // RFC 4380
const UNSPECIFIED_OR_LOOPBACK = ipaddr.parseCIDR('::/127') as Cidr; // :: and ::1

function matchTable(
  addr: ipaddr.IPv4 | ipaddr.IPv6,
  table: Array<[string, Cidr[]]>,
): string | null {
  for (const [name, cidrs] of table) {
    for (const cidr of cidrs) {
      if (addr.kind() === cidr[0].kind() && addr.match(cidr)) return name;
    }
  }
  return null;
}

function ipv4FromWords(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

function classifyIpv4(addr: ipaddr.IPv4): string {
  return matchTable(addr, METADATA_CIDRS) ?? matchTable(addr, IPV4_CIDRS) ?? PUBLIC_RANGE;
}

/** The IPv4 addresses an IPv6 address delivers to, if it is an embedding form. */
function embeddedIpv4(addr: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const p = addr.parts;
  if (addr.match(IPV4_MAPPED) || addr.match(NAT64_WELL_KNOWN)) {
    return [ipv4FromWords(p[6], p[7])];
  }
  if (addr.match(SIX_TO_FOUR)) return [ipv4FromWords(p[1], p[2])];
  // Teredo: server IPv4 in bits 32–63, client IPv4 obfuscated (inverted) in
  // the last 32 bits. Both must be acceptable.
  if (addr.match(TEREDO)) {
    return [ipv4FromWords(p[2], p[3]), ipv4FromWords(~p[6] & 0xffff, ~p[7] & 0xffff)];
  }
  return null;
}

function classifyIpv6(addr: ipaddr.IPv6): string {
  // ::/128 and ::1 sit inside ::/96, so they are named before the embedded forms.
  const special = matchTable(addr, METADATA_CIDRS);
  if (special) return special;
  if (addr.match(UNSPECIFIED_OR_LOOPBACK)) {
    return matchTable(addr, IPV6_CIDRS) ?? 'reserved';
  }
  // Deprecated embeddings route nowhere on today's internet: judge the IPv4
  // inside (so ::10.0.0.1 reports `private`), but never call them public.
  if (addr.match(IPV4_COMPATIBLE) || addr.match(IPV4_TRANSLATED)) {
    const range = classifyIpv4(ipv4FromWords(addr.parts[6], addr.parts[7]));
    return range === PUBLIC_RANGE ? 'reserved' : range;
  }
  const embedded = embeddedIpv4(addr);
  if (embedded) {
    for (const v4 of embedded) {
      const range = classifyIpv4(v4);
      if (range !== PUBLIC_RANGE) return range;
    }
    return PUBLIC_RANGE;
  }
  const named = matchTable(addr, IPV6_CIDRS);
  if (named) return named;
  return addr.match(IPV6_GLOBAL_UNICAST) ? PUBLIC_RANGE : 'reserved';
}

// ipaddr.js reads any dotted tail as IPv4-mapped (`::8.8.8.8` becomes
// `::ffff:808:808`), but the kernel dials `::808:808`; rewriting the tail as two
// hex words keeps the policy judging the address that is actually connected to.
function dottedTailToHex(ip: string): string {
  return ip.replace(
    /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
    (_m, a: string, b: string, c: string, d: string) => {
      const hex = (hi: string, lo: string) => ((Number(hi) << 8) | Number(lo)).toString(16);
      return `${hex(a, b)}:${hex(c, d)}`;
    },
  );
}

/**
 * Names the range an IP address belongs to: `public` when it may be dialled,
 * otherwise `loopback`, `private`, `linkLocal`, `carrierGradeNat`, `multicast`,
 * `unspecified`, `broadcast`, `reserved`, `documentation`, `benchmarking`,
 * `cloudMetadata`, `uniqueLocal`, `siteLocal`, `discard`, `nat64LocalUse`, or
 * `invalid` for text that is not a plain IP literal. For IPv6 forms carrying an
 * IPv4 address (IPv4-mapped, NAT64, 6to4, Teredo, IPv4-compatible) the range of
 * the embedded IPv4 address is returned.
 *
 * Only canonical literals are accepted (`net.isIP`); the shorthand forms
 * ipaddr.js also parses (`127.1`, `0x7f000001`) are `invalid`, never public.
 */
export function addressRange(ip: string): string {
  if (typeof ip !== 'string' || isIP(ip) === 0) return INVALID_RANGE;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(isIP(ip) === 6 ? dottedTailToHex(ip) : ip);
  } catch {
    return INVALID_RANGE;
  }
  return addr.kind() === 'ipv4'
    ? classifyIpv4(addr as ipaddr.IPv4)
    : classifyIpv6(addr as ipaddr.IPv6);
}

/** True when `ip` is a globally routable unicast address the verifier may connect to. */
export function isPublicAddress(ip: string): boolean {
  return addressRange(ip) === PUBLIC_RANGE;
}
