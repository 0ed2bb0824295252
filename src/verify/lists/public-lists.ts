import { createRequire } from 'node:module';
import { hasDomainOrParent } from './domain-suffix-match.js';
import { RELAY_DOMAINS } from './relay-domains.js';
import { roleKey } from './role-key.js';

/** The public data sets, loaded once per process and shared by every Lists. */
export interface PublicLists {
  /** disposable-email-domains (via disposable-email-domains-js): curated, few false positives. */
  readonly curatedDisposable: ReadonlySet<string>;
  /** mailchecker: much larger, includes shared-subdomain hosts and some relays. */
  readonly broadDisposable: ReadonlySet<string>;
  /** Curated alias/forwarding services (relay-domains.ts). */
  readonly relay: ReadonlySet<string>;
  /** free-email-domains minus every domain either disposable list flags (relays kept). */
  readonly free: ReadonlySet<string>;
  /** role-based-email-addresses, in roleKey() form. */
  readonly roleKeys: ReadonlySet<string>;
}

// The data packages are CommonJS with JSON payloads; createRequire reads them
// without import attributes and keeps them external to the bundle.
const require = createRequire(import.meta.url);

let loaded: PublicLists | undefined;

/** The shared public lists; the first call loads them (~150 ms, ~80 000 domains). */
export function publicLists(): PublicLists {
  loaded ??= loadPublicLists();
  return loaded;
}

function loadPublicLists(): PublicLists {
  const curatedDisposable = domainSet(
    require('disposable-email-domains-js/dist/dict/disposable_email_blocklist.json') as string[],
  );
  const mailchecker = require('mailchecker') as { blacklist(): Set<string> };
  // Copied, not shared: mailchecker's own Set is mutable through its API.
  const broadDisposable = domainSet(mailchecker.blacklist());
  const relay = domainSet(RELAY_DOMAINS);

  // free-email-domains merges disposable lists into its data (its own build
  // pulls two of them in), so "free" is only what is left once they are gone.
  const free = new Set<string>();
  for (const domain of domainSet(require('free-email-domains/domains.json') as string[])) {
    const relayed = hasDomainOrParent(relay, domain);
    const disposable =
      hasDomainOrParent(curatedDisposable, domain) || hasDomainOrParent(broadDisposable, domain);
    if (relayed || !disposable) free.add(domain);
  }

  const roleKeys = new Set<string>();
  for (const local of require('role-based-email-addresses') as string[]) {
    const key = roleKey(local);
    if (key !== '') roleKeys.add(key);
  }
  return { curatedDisposable, broadDisposable, relay, free, roleKeys };
}

function domainSet(domains: Iterable<string>): Set<string> {
  const set = new Set<string>();
  for (const raw of domains) {
    const domain = raw.trim().toLowerCase();
    if (domain !== '') set.add(domain);
  }
  return set;
}
