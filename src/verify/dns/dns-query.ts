import { promises as dnsPromises } from 'node:dns';
import { performance } from 'node:perf_hooks';
import { publish } from '../../observability/channels.js';
import type { ResolvedDnsOptions } from './dns-options.js';
import { formatServerAddress } from './parse-server-address.js';

/** How one upstream query ended, in DNS terms rather than c-ares error codes. */
export type QueryFailure = 'nxdomain' | 'nodata' | 'servfail' | 'timeout' | 'refused' | 'other';

export type QueryOutcome<R> =
  { ok: true; records: R[] } | { ok: false; failure: QueryFailure; message: string };

export interface MxRecord {
  exchange: string;
  priority: number;
}

export interface AddressRecord {
  address: string;
  ttl: number;
}

/** The three queries the mail resolver needs, over one c-ares channel. */
export interface DnsQuery {
  mx(name: string): Promise<QueryOutcome<MxRecord>>;
  address(name: string, family: 4 | 6): Promise<QueryOutcome<AddressRecord>>;
  /** Abort every outstanding query (they end as failure 'other'). */
  cancel(): void;
}

/**
 * c-ares codes → DNS outcome. Node builds the resolver with
 * ARES_FLAG_NOCHECKRESP, so SERVFAIL and REFUSED come back as answers instead
 * of being retried against the next server; only timeouts are retried.
 */
const FAILURE_BY_CODE: Record<string, QueryFailure> = {
  ENOTFOUND: 'nxdomain',
  ENODATA: 'nodata',
  ESERVFAIL: 'servfail',
  ETIMEOUT: 'timeout',
  EREFUSED: 'refused',
  ECONNREFUSED: 'refused',
};

/** Label for the dnsQuery metric: the rcode as seen on the wire, or the transport failure. */
const RCODE_BY_FAILURE: Record<QueryFailure, string> = {
  nxdomain: 'NXDOMAIN',
  nodata: 'NOERROR',
  servfail: 'SERVFAIL',
  timeout: 'TIMEOUT',
  refused: 'REFUSED',
  other: 'OTHER',
};

/** A {@link DnsQuery} backed by node's c-ares `Resolver`. */
export function createDnsQuery(options: ResolvedDnsOptions): DnsQuery {
  const resolver = new dnsPromises.Resolver({
    timeout: options.timeoutMs,
    tries: options.tries,
    // Without a cap c-ares doubles the timeout on each retry (t, 2t, 4t…).
    maxTimeout: options.timeoutMs,
  } as ConstructorParameters<typeof dnsPromises.Resolver>[0]);
  if (options.servers.length > 0) resolver.setServers(options.servers.map(formatServerAddress));

  async function run<R>(query: () => Promise<R[]>, name: string): Promise<QueryOutcome<R>> {
    const started = performance.now();
    let outcome: QueryOutcome<R>;
    try {
      outcome = { ok: true, records: await query() };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const failure = (typeof code === 'string' && FAILURE_BY_CODE[code]) || 'other';
      outcome = { ok: false, failure, message: `${name}: ${String(code ?? error)}` };
    }
    publish('dnsQuery', {
      seconds: (performance.now() - started) / 1000,
      rcode: outcome.ok ? 'NOERROR' : RCODE_BY_FAILURE[outcome.failure],
    });
    return outcome;
  }

  return {
    mx: (name) => run(() => resolver.resolveMx(name), name),
    address: (name, family) =>
      run(
        () =>
          family === 4
            ? resolver.resolve4(name, { ttl: true })
            : resolver.resolve6(name, { ttl: true }),
        name,
      ),
    cancel: () => resolver.cancel(),
  };
}
