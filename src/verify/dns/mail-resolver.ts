import { ClosedError, InvalidArgumentError } from '../../errors.js';
import { publish } from '../../observability/channels.js';
import type { DnsOptions, ResolvedDnsOptions } from './dns-options.js';
import { resolveDnsOptions } from './dns-options.js';
import type { DnsQuery } from './dns-query.js';
import { createDnsQuery } from './dns-query.js';
import type { MailResolver, MailRoute } from './mail-route.js';
import type { HostAddresses } from './resolve-host.js';
import { resolveHost } from './resolve-host.js';
import type { RouteAnswer } from './resolve-route.js';
import { canonicalName, resolveRoute } from './resolve-route.js';
import { SingleFlight } from './single-flight.js';
import { TtlCache } from './ttl-cache.js';

/** RFC 1035 §2.3.4: 253 characters in text form, 63 per label. */
const MAX_DOMAIN_LENGTH = 253;
const DOMAIN_PATTERN =
  /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

type CacheKind = 'positive' | 'negative';

/**
 * Create the resolver the engine uses to find where mail for a domain goes.
 *
 * - Answers are cached per domain (whole route) and per MX host (its A/AAAA),
 *   with TTLs clamped to `[minTtlSeconds, maxTtlSeconds]`; NXDOMAIN, NODATA,
 *   null MX and "no mail server" for `negativeTtlSeconds`; temporary failures
 *   for `errorTtlSeconds` only.
 * - Concurrent lookups of one domain (or one MX host) share one set of
 *   upstream queries.
 * - `resolveMail` never throws for a DNS answer; it throws
 *   `InvalidArgumentError` for a malformed domain and `ClosedError` after close.
 *
 * @throws InvalidArgumentError when an option (e.g. a server string) is malformed.
 */
export function createMailResolver(options: DnsOptions = {}): MailResolver {
  const config = resolveDnsOptions(options);
  return new CachingMailResolver(config, createDnsQuery(config));
}

class CachingMailResolver implements MailResolver {
  readonly #config: ResolvedDnsOptions;
  readonly #query: DnsQuery;
  readonly #routes: TtlCache<{ route: MailRoute; kind: CacheKind }>;
  readonly #hosts: TtlCache<HostAddresses>;
  readonly #routeFlights = new SingleFlight<{ route: MailRoute; kind: CacheKind }>();
  readonly #hostFlights = new SingleFlight<HostAddresses>();
  #closed = false;

  constructor(config: ResolvedDnsOptions, query: DnsQuery) {
    this.#config = config;
    this.#query = query;
    this.#routes = new TtlCache(config.cacheSize, config.now);
    this.#hosts = new TtlCache(config.cacheSize, config.now);
  }

  async resolveMail(asciiDomain: string): Promise<MailRoute> {
    if (this.#closed) throw new ClosedError('mail resolver');
    const domain = checkDomain(asciiDomain);
    const cached = this.#routes.get(domain);
    if (cached !== undefined) {
      publish('dnsCache', { hit: true, kind: cached.value.kind });
      return cloneRoute(cached.value.route);
    }
    const fresh = await this.#routeFlights.run(domain, () => this.#lookupRoute(domain));
    return cloneRoute(fresh.route);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Outstanding lookups end as { kind: 'error' } routes; nothing new starts.
    this.#query.cancel();
    this.#routeFlights.clear();
    this.#hostFlights.clear();
    this.#routes.clear();
    this.#hosts.clear();
  }

  async #lookupRoute(domain: string): Promise<{ route: MailRoute; kind: CacheKind }> {
    const answer = await resolveRoute(this.#query, domain, (name) => this.#lookupHost(name));
    if (this.#closed) return { route: closedRoute(), kind: 'negative' };
    const kind: CacheKind =
      answer.route.kind === 'mx' || answer.route.kind === 'implicit' ? 'positive' : 'negative';
    publish('dnsCache', { hit: false, kind });
    this.#routes.set(domain, { route: answer.route, kind }, this.#routeTtlMs(answer));
    return { route: answer.route, kind };
  }

  #lookupHost(name: string): Promise<HostAddresses> {
    const cached = this.#hosts.get(name);
    if (cached !== undefined) {
      // What is left of the entry's life bounds the route built from it.
      return Promise.resolve({ ...cached.value, ttlSeconds: cached.remainingMs / 1000 });
    }
    return this.#hostFlights.run(name, async () => {
      const answer = await resolveHost(this.#query, name);
      if (!this.#closed) this.#hosts.set(name, answer, this.#hostTtlMs(answer));
      return answer;
    });
  }

  #routeTtlMs(answer: RouteAnswer): number {
    const kind = answer.route.kind;
    if (kind === 'error') return this.#config.errorTtlSeconds * 1000;
    if (kind !== 'mx' && kind !== 'implicit') return this.#negativeTtlMs();
    const positive = this.#clampMs(answer.ttlSeconds);
    return answer.degraded === true
      ? Math.min(positive, this.#config.errorTtlSeconds * 1000)
      : positive;
  }

  #hostTtlMs(answer: HostAddresses): number {
    if (answer.error === 'error') return this.#config.errorTtlSeconds * 1000;
    if (answer.error !== undefined) return this.#negativeTtlMs();
    return this.#clampMs(answer.ttlSeconds);
  }

  #negativeTtlMs(): number {
    return Math.min(this.#config.negativeTtlSeconds, this.#config.maxTtlSeconds) * 1000;
  }

  /** Clamp a record TTL; with none known (MX TTLs are not exposed by c-ares), use the minimum. */
  #clampMs(ttlSeconds: number | undefined): number {
    const { minTtlSeconds, maxTtlSeconds } = this.#config;
    const ttl = ttlSeconds ?? minTtlSeconds;
    return Math.min(Math.max(ttl, minTtlSeconds), maxTtlSeconds) * 1000;
  }
}

function checkDomain(input: string): string {
  if (typeof input !== 'string') throw new InvalidArgumentError('domain must be a string');
  const domain = canonicalName(input);
  if (domain.length === 0 || domain.length > MAX_DOMAIN_LENGTH || !DOMAIN_PATTERN.test(domain)) {
    throw new InvalidArgumentError(
      `not an ASCII (A-label) domain: ${JSON.stringify(input.slice(0, 300))}`,
    );
  }
  return domain;
}

function closedRoute(): MailRoute {
  return { kind: 'error', error: 'other', message: 'mail resolver closed' };
}

/** Callers get their own copy so nobody can edit what the cache holds. */
function cloneRoute(route: MailRoute): MailRoute {
  if (route.kind !== 'mx' && route.kind !== 'implicit') return { ...route };
  return {
    kind: route.kind,
    hosts: route.hosts.map((h) => ({ ...h, addresses: [...h.addresses] })),
  };
}
