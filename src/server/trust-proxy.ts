import { normalizeCidr } from './cidr.js';

/** Most proxy hops a count may name: no path has more than 255 (the IP TTL). */
export const MAX_TRUSTED_HOPS = 255;

/** Named ranges fastify's proxy-addr understands, besides addresses and CIDRs. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `server.trustProxy` understood: believe no `X-Forwarded-For` (false), all
 * of it (true), the nearest `hops` entries, or entries added by the listed
 * proxies.
 */
export type TrustProxy = boolean | { hops: number } | { proxies: string[] };

/** Why one proxy entry is not an IP address, a CIDR or a named range; undefined when it is. */
function entryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry.toLowerCase())) return undefined;
  try {
    normalizeCidr(entry);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Parse a `server.trustProxy` value, or throw an Error saying why it is
 * none of `true`, `false`, a hop count or comma-separated proxy
 * IPs/CIDRs. A bare whole number is a hop count, never an address:
 * proxy-addr would read `100` as the IPv4 address 0.0.0.100.
 */
export function parseTrustProxy(value: boolean | string): TrustProxy {
  if (typeof value === 'boolean') return value;
  const v = value.trim();
  const lower = v.toLowerCase();
  if (lower === '' || lower === 'false') return false;
  if (lower === 'true') return true;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    if (hops > MAX_TRUSTED_HOPS)
      throw new Error(`a hop count must be 0..${MAX_TRUSTED_HOPS}, got ${v.slice(0, 12)}`);
    return hops === 0 ? false : { hops };
  }
  const proxies = v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const entry of proxies) {
    const problem = entryProblem(entry);
    if (problem)
      throw new Error(
        `expected true, false, a hop count or comma-separated proxy IPs/CIDRs: ${problem}`,
      );
  }
  return { proxies };
}

/**
 * fastify's `trustProxy` for a value parseTrustProxy accepts. A hop count
 * is given as a function: fastify 5 takes a plain number as "trust nothing"
 * (it cannot check who the nearest peer is), while mailvet documents a count
 * as "believe the nearest n entries", as Express and proxy-addr define it.
 */
export function trustProxyOption(
  value: boolean | string,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  const trust = parseTrustProxy(value);
  if (typeof trust === 'boolean') return trust;
  if ('hops' in trust) {
    const { hops } = trust;
    return (_address, hop) => hop < hops;
  }
  return trust.proxies;
}
