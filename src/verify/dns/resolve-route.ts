import { isIP } from 'node:net';
import type { MailHost, MailRoute } from './mail-route.js';
import type { DnsQuery, MxRecord } from './dns-query.js';
import type { HostAddresses } from './resolve-host.js';

/** MX hosts considered per domain, after sorting; a longer list is truncated. */
export const MAX_MX_HOSTS = 10;
/** MX hosts whose addresses are looked up at the same time (two queries each). */
export const HOST_LOOKUP_CONCURRENCY = 5;

/** A route plus what the cache needs to know about how long it holds. */
export interface RouteAnswer {
  route: MailRoute;
  /** Smallest TTL of the address records behind a positive route (seconds). */
  ttlSeconds?: number;
  /** A positive route in which some host failed temporarily: keep it only briefly. */
  degraded?: boolean;
}

/** Name as compared and reported: lower case, without the trailing root dot. */
export function canonicalName(name: string): string {
  return name.toLowerCase().replace(/\.+$/, '');
}

/**
 * The mail route of `domain` (RFC 5321 §5.1, RFC 7505): MX hosts in preference
 * order with their addresses; no MX → the domain's own A/AAAA; a lone "."
 * exchange → null MX. `lookupHost` resolves (and may cache) A + AAAA of a name.
 */
export async function resolveRoute(
  query: DnsQuery,
  domain: string,
  lookupHost: (name: string) => Promise<HostAddresses>,
): Promise<RouteAnswer> {
  const mx = await query.mx(domain);
  if (!mx.ok) {
    switch (mx.failure) {
      case 'nxdomain':
        return { route: { kind: 'nxdomain' } };
      case 'nodata':
        return implicitRoute(domain, await lookupHost(domain));
      default:
        return { route: { kind: 'error', error: mx.failure, message: mx.message } };
    }
  }

  const exchanges = sortExchanges(mx.records);
  // RFC 7505 §3: a null MX must be the only MX. When "." sits beside real
  // hosts the domain is misconfigured; the real hosts may still take mail, so
  // the "." is ignored rather than read as "accepts no mail" (a false
  // undeliverable is the worst error we can make).
  if (exchanges.length === 0) return { route: { kind: 'null_mx' } };

  const hosts: MailHost[] = new Array(exchanges.length);
  const answers: HostAddresses[] = new Array(exchanges.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < exchanges.length) {
      const i = next++;
      const answer = await hostAddresses(exchanges[i].exchange, lookupHost);
      answers[i] = answer;
      hosts[i] = toMailHost(exchanges[i].exchange, exchanges[i].priority, answer);
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(HOST_LOOKUP_CONCURRENCY, exchanges.length) }, worker),
  );

  if (hosts.some((h) => h.addresses.length > 0)) {
    return {
      route: { kind: 'mx', hosts },
      ttlSeconds: minTtl(answers),
      degraded: answers.some((a) => a.error === 'error'),
    };
  }
  const temporary = answers.find((a) => a.temporary !== undefined)?.temporary;
  if (temporary !== undefined) {
    return {
      route: {
        kind: 'error',
        error: temporary.failure,
        message: `no MX host of ${domain} resolved: ${temporary.message}`,
      },
    };
  }
  return { route: { kind: 'no_mail_server' } };
}

/**
 * RFC 5321 §5.1 says an MX names a host, never an address, yet `MX 10
 * 192.0.2.1.` is common and many MTAs deliver to it. Looking the IP up as a
 * name would answer NXDOMAIN and turn the domain into `no_mail_server` — a
 * false undeliverable. So the IP is the address; the SSRF guard still checks
 * it at connect time like any other.
 */
function hostAddresses(
  exchange: string,
  lookupHost: (name: string) => Promise<HostAddresses>,
): Promise<HostAddresses> {
  if (isIP(exchange) !== 0) return Promise.resolve({ addresses: [exchange] });
  return lookupHost(exchange);
}

function implicitRoute(domain: string, answer: HostAddresses): RouteAnswer {
  if (answer.addresses.length > 0) {
    return {
      route: { kind: 'implicit', hosts: [toMailHost(domain, 0, answer)] },
      ttlSeconds: answer.ttlSeconds,
    };
  }
  if (answer.temporary !== undefined) {
    const { failure, message } = answer.temporary;
    return { route: { kind: 'error', error: failure, message } };
  }
  // The MX query proved the name exists (NODATA); no address either.
  return { route: { kind: 'no_mail_server' } };
}

/** Canonical names, "." dropped, duplicates merged (lowest preference wins), sorted, capped. */
function sortExchanges(records: MxRecord[]): MxRecord[] {
  const best = new Map<string, number>();
  for (const record of records) {
    const exchange = canonicalName(record.exchange);
    if (exchange === '') continue;
    const seen = best.get(exchange);
    if (seen === undefined || record.priority < seen) best.set(exchange, record.priority);
  }
  return [...best]
    .map(([exchange, priority]) => ({ exchange, priority }))
    .sort((a, b) =>
      a.priority !== b.priority
        ? a.priority - b.priority
        : a.exchange < b.exchange
          ? -1
          : a.exchange > b.exchange
            ? 1
            : 0,
    )
    .slice(0, MAX_MX_HOSTS);
}

function toMailHost(exchange: string, preference: number, answer: HostAddresses): MailHost {
  const host: MailHost = { exchange, preference, addresses: [...answer.addresses] };
  if (answer.error !== undefined) host.addressError = answer.error;
  return host;
}

function minTtl(answers: HostAddresses[]): number | undefined {
  const ttls = answers.flatMap((a) => (a.ttlSeconds === undefined ? [] : [a.ttlSeconds]));
  return ttls.length > 0 ? Math.min(...ttls) : undefined;
}
