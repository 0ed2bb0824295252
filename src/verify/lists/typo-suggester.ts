import { POPULAR_DOMAINS } from './popular-domains.js';

/**
 * True when `a` and `b` differ by exactly one edit: one character inserted,
 * deleted or substituted, or two adjacent characters swapped (`gmial` →
 * `gmail`). Linear, allocation-free; equal strings return false.
 */
export function isOneEditApart(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (la === lb) {
    let i = 0;
    while (i < la && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (i === la) return false;
    // Substitution: everything after the mismatch is equal.
    if (sameFrom(a, i + 1, b, i + 1)) return true;
    // Transposition of positions i and i+1.
    return (
      i + 1 < la &&
      a.charCodeAt(i) === b.charCodeAt(i + 1) &&
      a.charCodeAt(i + 1) === b.charCodeAt(i) &&
      sameFrom(a, i + 2, b, i + 2)
    );
  }
  if (la === lb + 1) return oneDeletion(a, b);
  if (lb === la + 1) return oneDeletion(b, a);
  return false;
}

/** `shorter` is `longer` with one character removed. */
function oneDeletion(longer: string, shorter: string): boolean {
  let i = 0;
  while (i < shorter.length && longer.charCodeAt(i) === shorter.charCodeAt(i)) i++;
  return sameFrom(longer, i + 1, shorter, i);
}

function sameFrom(a: string, ia: number, b: string, ib: number): boolean {
  if (a.length - ia !== b.length - ib) return false;
  for (; ia < a.length; ia++, ib++) if (a.charCodeAt(ia) !== b.charCodeAt(ib)) return false;
  return true;
}

/**
 * The popular mailbox domain `domain` is most likely a misspelling of, or
 * null. Deliberately conservative: only a single edit (including a swap of
 * two neighbours) counts, a missing first letter does not, and only the long
 * names of POPULAR_DOMAINS are targets. The caller decides which domains are known to be real and
 * must never get a suggestion.
 */
export function suggestDomain(domain: string): string | null {
  for (const popular of POPULAR_DOMAINS) {
    // Dropping the first letter of a popular name mostly lands on another
    // real domain (cloud.com, mail.com), not on a slip of the finger.
    if (domain.length + 1 === popular.length && popular.endsWith(domain)) continue;
    if (isOneEditApart(domain, popular)) return popular;
  }
  return null;
}
