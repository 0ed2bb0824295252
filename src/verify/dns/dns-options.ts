import { InvalidArgumentError } from '../../errors.js';
import type { DnsServerAddress } from './parse-server-address.js';
import { parseServerAddress } from './parse-server-address.js';

/** First-try timeout of one upstream query. */
export const DEFAULT_DNS_TIMEOUT_MS = 5_000;
/** Attempts per upstream query (c-ares resends over UDP on timeout). */
export const DEFAULT_DNS_TRIES = 2;
/** Shortest time a positive answer is kept, whatever its TTL. */
export const DEFAULT_MIN_TTL_SECONDS = 60;
/** Longest time any answer is kept, whatever its TTL. */
export const DEFAULT_MAX_TTL_SECONDS = 3_600;
/** How long NXDOMAIN, NODATA, null MX and "no mail server" are kept. */
export const DEFAULT_NEGATIVE_TTL_SECONDS = 300;
/** How long a temporary failure (SERVFAIL, timeout, refused) is kept; 0 = never. */
export const DEFAULT_ERROR_TTL_SECONDS = 5;
/** Entries per cache (routes and MX-host addresses are cached apart). */
export const DEFAULT_DNS_CACHE_SIZE = 10_000;

/** Upper bounds that keep a typo in configuration from stalling every lookup. */
const MAX_TIMEOUT_MS = 60_000;
const MAX_TRIES = 10;
const MAX_TTL_SECONDS = 7 * 24 * 3_600;
const MAX_SERVERS = 16;
const MAX_CACHE_SIZE = 10_000_000;

/** Options of {@link createMailResolver}. Every field is optional; defaults above. */
export interface DnsOptions {
  /**
   * Upstream resolvers as `host:port` (`1.2.3.4:53`, `[::1]:5353`; port defaults
   * to 53). IP literals only. Empty or absent = the system's resolvers.
   */
  servers?: string[];
  /** Timeout of the first try of one query, in ms. Later tries use the same bound. */
  timeoutMs?: number;
  /** Tries per query (1 = no retry). Only timeouts are retried; SERVFAIL is an answer. */
  tries?: number;
  /** Positive answers are kept at least this long (seconds). */
  minTtlSeconds?: number;
  /** No answer is kept longer than this (seconds). */
  maxTtlSeconds?: number;
  /** NXDOMAIN / NODATA / null MX / no mail server are kept this long (seconds). */
  negativeTtlSeconds?: number;
  /** Temporary failures are kept this long (seconds); 0 disables. */
  errorTtlSeconds?: number;
  /** Maximum entries per cache; the least recently used entry is evicted. 0 disables caching. */
  cacheSize?: number;
  /** Clock in epoch milliseconds, injected so tests can expire the cache without sleeping. */
  now?: () => number;
}

/** {@link DnsOptions} after validation: complete and frozen. */
export interface ResolvedDnsOptions {
  readonly servers: readonly DnsServerAddress[];
  readonly timeoutMs: number;
  readonly tries: number;
  readonly minTtlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly negativeTtlSeconds: number;
  readonly errorTtlSeconds: number;
  readonly cacheSize: number;
  readonly now: () => number;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`dns.${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Validate options once, fill defaults, freeze. @throws InvalidArgumentError */
export function resolveDnsOptions(options: DnsOptions = {}): ResolvedDnsOptions {
  const servers = options.servers ?? [];
  if (!Array.isArray(servers)) throw new InvalidArgumentError('dns.servers must be an array');
  if (servers.length > MAX_SERVERS) {
    throw new InvalidArgumentError(`dns.servers holds at most ${MAX_SERVERS} entries`);
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new InvalidArgumentError('dns.now must be a function');
  }
  const minTtlSeconds = integer(
    'minTtlSeconds',
    options.minTtlSeconds,
    DEFAULT_MIN_TTL_SECONDS,
    0,
    MAX_TTL_SECONDS,
  );
  const maxTtlSeconds = integer(
    'maxTtlSeconds',
    options.maxTtlSeconds,
    Math.max(DEFAULT_MAX_TTL_SECONDS, minTtlSeconds),
    0,
    MAX_TTL_SECONDS,
  );
  if (maxTtlSeconds < minTtlSeconds) {
    throw new InvalidArgumentError('dns.maxTtlSeconds must not be below dns.minTtlSeconds');
  }
  return Object.freeze({
    servers: Object.freeze(servers.map(parseServerAddress)),
    timeoutMs: integer('timeoutMs', options.timeoutMs, DEFAULT_DNS_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
    tries: integer('tries', options.tries, DEFAULT_DNS_TRIES, 1, MAX_TRIES),
    minTtlSeconds,
    maxTtlSeconds,
    negativeTtlSeconds: integer(
      'negativeTtlSeconds',
      options.negativeTtlSeconds,
      DEFAULT_NEGATIVE_TTL_SECONDS,
      0,
      MAX_TTL_SECONDS,
    ),
    errorTtlSeconds: integer(
      'errorTtlSeconds',
      options.errorTtlSeconds,
      DEFAULT_ERROR_TTL_SECONDS,
      0,
      MAX_TTL_SECONDS,
    ),
    cacheSize: integer('cacheSize', options.cacheSize, DEFAULT_DNS_CACHE_SIZE, 0, MAX_CACHE_SIZE),
    now: options.now ?? Date.now,
  });
}
