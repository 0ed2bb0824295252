import type { DnsQuery, QueryOutcome, AddressRecord } from './dns-query.js';

/** Addresses kept per family and host: enough for failover, bounded against huge RRsets. */
export const MAX_ADDRESSES_PER_FAMILY = 5;

/** The A + AAAA answer for one host name, with the TTL that bounds how long it holds. */
export interface HostAddresses {
  /** IPv4 first, then IPv6; each family capped at {@link MAX_ADDRESSES_PER_FAMILY}. */
  addresses: string[];
  /** Why `addresses` is empty, when it is. */
  error?: 'nxdomain' | 'nodata' | 'error';
  /** Set when `error` is 'error': which temporary failure, and its message. */
  temporary?: { failure: 'servfail' | 'timeout' | 'refused' | 'other'; message: string };
  /** Smallest TTL among the records used (seconds); undefined when none. */
  ttlSeconds?: number;
}

/**
 * Resolve A and AAAA of `name` in parallel. One family answering is enough;
 * a temporary failure of the other does not taint the result. With no
 * address at all, a definitive answer (NXDOMAIN, NODATA) is kept apart from a
 * temporary one so callers can tell "no such host" from "could not tell".
 */
export async function resolveHost(query: DnsQuery, name: string): Promise<HostAddresses> {
  const [v4, v6] = await Promise.all([query.address(name, 4), query.address(name, 6)]);
  const records = [...take(v4), ...take(v6)];
  if (records.length > 0) {
    return {
      addresses: records.map((r) => r.address),
      ttlSeconds: Math.min(...records.map((r) => r.ttl)),
    };
  }
  for (const outcome of [v4, v6]) {
    if (outcome.ok || outcome.failure === 'nxdomain' || outcome.failure === 'nodata') continue;
    return {
      addresses: [],
      error: 'error',
      temporary: { failure: outcome.failure, message: outcome.message },
    };
  }
  const nxdomain = [v4, v6].some((o) => !o.ok && o.failure === 'nxdomain');
  return { addresses: [], error: nxdomain ? 'nxdomain' : 'nodata' };
}

function take(outcome: QueryOutcome<AddressRecord>): AddressRecord[] {
  return outcome.ok ? outcome.records.slice(0, MAX_ADDRESSES_PER_FAMILY) : [];
}
