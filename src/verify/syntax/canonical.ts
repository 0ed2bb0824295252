import type { ParsedAddress } from './parsed-address.js';
import { PROVIDER_RULES_BY_DOMAIN } from './provider-rules.js';

/**
 * The provider-aware canonical form of an address: the spelling a known
 * provider delivers to (Gmail without dots and `+tag`, on gmail.com; `+tag`
 * dropped where the provider supports subaddressing; lower case where the
 * provider ignores case). Other domains, quoted local parts and address
 * literals are returned as `normalized`, untouched: a local part is
 * case-sensitive unless its provider says otherwise (RFC 5321 §2.4).
 *
 * Advice only, for de-duplication: never used to decide validity, and never
 * what is sent to the server.
 */
export function canonicalize(address: ParsedAddress): string {
  const rule = PROVIDER_RULES_BY_DOMAIN.get(address.asciiDomain);
  if (rule === undefined || address.localPart.startsWith('"')) return address.normalized;
  let local = address.localPart;
  if (rule.subaddressSeparator !== null) {
    const at = local.indexOf(rule.subaddressSeparator);
    // "+tag@gmail.com" has no base mailbox to fold onto; keep it as it is.
    if (at > 0) local = local.slice(0, at);
  }
  if (rule.ignoreDots) local = local.replaceAll('.', '');
  if (rule.caseInsensitive) local = local.toLowerCase();
  if (local === '') return address.normalized;
  return `${local}@${rule.canonicalDomain ?? address.domain}`;
}
