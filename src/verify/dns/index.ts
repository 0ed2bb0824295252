/** The DNS layer: where mail for a domain goes (MX, implicit MX, null MX), cached. */
export type { MailHost, MailResolver, MailRoute } from './mail-route.js';
export { createMailResolver } from './mail-resolver.js';
export type { DnsOptions } from './dns-options.js';
export {
  DEFAULT_DNS_CACHE_SIZE,
  DEFAULT_DNS_TIMEOUT_MS,
  DEFAULT_DNS_TRIES,
  DEFAULT_ERROR_TTL_SECONDS,
  DEFAULT_MAX_TTL_SECONDS,
  DEFAULT_MIN_TTL_SECONDS,
  DEFAULT_NEGATIVE_TTL_SECONDS,
} from './dns-options.js';
export type { DnsServerAddress } from './parse-server-address.js';
export { DEFAULT_DNS_PORT, parseServerAddress } from './parse-server-address.js';
export { MAX_MX_HOSTS } from './resolve-route.js';
export { MAX_ADDRESSES_PER_FAMILY } from './resolve-host.js';
