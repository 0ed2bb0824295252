/**
 * How large mailbox providers fold different spellings of one mailbox onto
 * one. Data only: {@link canonicalize} reads it. A provider belongs here only
 * when its behaviour is documented by the provider or widely confirmed; when
 * unsure, leave it out — a wrong rule merges two people's mailboxes.
 */
export interface ProviderRule {
  /** Short provider name, for docs and debugging. */
  provider: string;
  /** A-label domains (lower case) the rule applies to. */
  domains: readonly string[];
  /** Domain the canonical form uses, when the provider has aliases of its domain. */
  canonicalDomain?: string;
  /** The local part ignores dots (`j.doe` = `jdoe`). */
  ignoreDots: boolean;
  /** Separator of RFC 5233 subaddressing the provider delivers to the base mailbox, if any. */
  subaddressSeparator: '+' | null;
  /** Mailbox names are case-insensitive at this provider. */
  caseInsensitive: boolean;
}

export const PROVIDER_RULES: readonly ProviderRule[] = [
  {
    // Gmail ignores dots and delivers user+tag; googlemail.com is the same service.
    provider: 'gmail',
    domains: ['gmail.com', 'googlemail.com'],
    canonicalDomain: 'gmail.com',
    ignoreDots: true,
    subaddressSeparator: '+',
    caseInsensitive: true,
  },
  {
    // Outlook.com plus addressing; dots are significant.
    provider: 'microsoft',
    domains: [
      'outlook.com',
      'hotmail.com',
      'live.com',
      'msn.com',
      'hotmail.co.uk',
      'hotmail.fr',
      'hotmail.de',
      'hotmail.it',
      'hotmail.es',
      'live.co.uk',
      'live.fr',
      'outlook.fr',
      'outlook.de',
    ],
    ignoreDots: false,
    subaddressSeparator: '+',
    caseInsensitive: true,
  },
  {
    // iCloud Mail delivers user+tag (receive only); me.com and mac.com are the same accounts.
    provider: 'icloud',
    domains: ['icloud.com', 'me.com', 'mac.com'],
    ignoreDots: false,
    subaddressSeparator: '+',
    caseInsensitive: true,
  },
  {
    // Fastmail plus addressing (it also has subdomain addressing, not folded here).
    provider: 'fastmail',
    domains: ['fastmail.com', 'fastmail.fm'],
    ignoreDots: false,
    subaddressSeparator: '+',
    caseInsensitive: true,
  },
  {
    provider: 'proton',
    domains: ['protonmail.com', 'protonmail.ch', 'proton.me', 'pm.me'],
    ignoreDots: false,
    subaddressSeparator: '+',
    caseInsensitive: true,
  },
  {
    // Yahoo has no '+'. Its "disposable addresses" are basename-keyword, where
    // the base name is chosen separately from the mailbox name, so dropping
    // "-keyword" would give a different (maybe nobody's) address: no stripping.
    provider: 'yahoo',
    domains: ['yahoo.com', 'ymail.com', 'rocketmail.com'],
    ignoreDots: false,
    subaddressSeparator: null,
    caseInsensitive: true,
  },
];

/** Rules by domain, built once. */
export const PROVIDER_RULES_BY_DOMAIN: ReadonlyMap<string, ProviderRule> = new Map(
  PROVIDER_RULES.flatMap((rule) => rule.domains.map((domain) => [domain, rule] as const)),
);
