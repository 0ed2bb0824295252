import type { ParsedAddress } from '../syntax/parsed-address.js';
import { hasDomainOrParent } from './domain-suffix-match.js';
import type { DisposableTier, ListVerdict } from './list-verdict.js';
import { publicLists } from './public-lists.js';
import { roleKey } from './role-key.js';
import { suggestDomain } from './typo-suggester.js';
import type { UserList } from './user-list.js';
import { addUserListEntries, emptyUserList, loadUserListFile } from './user-list.js';

/** Whether the broad (mailchecker) disposable tier is used unless told otherwise. */
export const DEFAULT_BROAD_DISPOSABLE = true;

/** How to build a Lists. Every field is optional. */
export interface ListsOptions {
  /** File of allowed domains/addresses, one per line, `#` comments (see docs/lists.md). */
  allowFile?: string | null;
  /** File of denied domains/addresses, same format. */
  denyFile?: string | null;
  /** Inline allowed domains/addresses, added to `allowFile`'s. */
  allow?: readonly string[];
  /** Inline denied domains/addresses, added to `denyFile`'s. */
  deny?: readonly string[];
  /**
   * Flag domains found only on the broad mailchecker list as disposable
   * (default DEFAULT_BROAD_DISPOSABLE). Off keeps only the curated tier.
   */
  broadDisposable?: boolean;
}

/** The static lists, ready to answer for any number of addresses. */
export interface Lists {
  /** What the lists say about one address; O(labels) Set lookups, never throws. */
  check(address: ParsedAddress): ListVerdict;
}

type UserDecision = 'allow' | 'deny' | null;

/**
 * Build the lists. The public data is loaded once per process and shared, so
 * only the first call is slow; user allow/deny files are read here,
 * synchronously, and a bad entry fails construction with a ConfigError naming
 * the file and line.
 */
export function createLists(options: ListsOptions = {}): Lists {
  const data = publicLists();
  const allow = emptyUserList();
  const deny = emptyUserList();
  if (options.allowFile) loadUserListFile(options.allowFile, 'allow', allow);
  if (options.denyFile) loadUserListFile(options.denyFile, 'deny', deny);
  if (options.allow) addUserListEntries(options.allow, 'allow', allow);
  if (options.deny) addUserListEntries(options.deny, 'deny', deny);
  const useBroad = options.broadDisposable ?? DEFAULT_BROAD_DISPOSABLE;
  const hasAddressEntries = allow.addresses.size > 0 || deny.addresses.size > 0;
  const hasDomainEntries = allow.domains.size > 0 || deny.domains.size > 0;

  function userDecision(address: ParsedAddress, literal: boolean): UserDecision {
    // The most specific entry wins: an address entry, then the longest
    // matching domain; at equal specificity deny beats allow.
    if (hasAddressEntries) {
      const key = `${address.localPart}@${address.asciiDomain}`;
      if (deny.addresses.has(key)) return 'deny';
      if (allow.addresses.has(key)) return 'allow';
    }
    if (!hasDomainEntries || literal) return null;
    return domainDecision(allow, deny, address.asciiDomain);
  }

  function check(address: ParsedAddress): ListVerdict {
    const literal = address.addressLiteral !== null;
    const decision = userDecision(address, literal);
    const role = data.roleKeys.has(roleKey(address.localPart));
    const allowed = decision === 'allow';
    const denied = decision === 'deny';
    if (literal) {
      return {
        allowed,
        denied,
        disposable: denied,
        relay: false,
        free: false,
        role,
        suggestion: null,
      };
    }
    const domain = address.asciiDomain;
    const relay = !allowed && hasDomainOrParent(data.relay, domain);
    let tier: DisposableTier | undefined;
    if (decision === null && !relay) {
      if (hasDomainOrParent(data.curatedDisposable, domain)) tier = 'curated';
      else if (useBroad && hasDomainOrParent(data.broadDisposable, domain)) tier = 'broad';
    }
    const disposable = denied || tier !== undefined;
    const onFreeList = data.free.has(domain);
    // A domain the user listed, a relay, or a known free provider is real:
    // never second-guess it. Disposable typo-squats (gmial.com) still get one.
    const suggested = decision === null && !relay && !onFreeList ? suggestDomain(domain) : null;
    const verdict: ListVerdict = {
      allowed,
      denied,
      disposable,
      relay,
      free: onFreeList && !disposable,
      role,
      suggestion: suggested === null ? null : `${address.localPart}@${suggested}`,
    };
    if (tier !== undefined) verdict.disposableTier = tier;
    return verdict;
  }

  return { check };
}

/** Walk the domain's suffixes, most specific first; deny wins a tie. */
function domainDecision(allow: UserList, deny: UserList, domain: string): UserDecision {
  let candidate = domain;
  for (;;) {
    if (deny.domains.has(candidate)) return 'deny';
    if (allow.domains.has(candidate)) return 'allow';
    const dot = candidate.indexOf('.');
    if (dot < 0 || dot === candidate.length - 1) return null;
    candidate = candidate.slice(dot + 1);
  }
}
