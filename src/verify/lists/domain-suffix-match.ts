/**
 * The entry of `set` that `domain` equals or is a subdomain of, or null.
 *
 * Walks the label suffixes from the full domain outward (`a.b.example.com`,
 * `b.example.com`, `example.com`, `com`), so the most specific entry wins and
 * the cost is one Set lookup per label — a domain has at most 127 labels.
 * `domain` must already be lower-case A-label form, like every set entry.
 */
export function findDomainOrParent(set: ReadonlySet<string>, domain: string): string | null {
  let candidate = domain;
  for (;;) {
    if (set.has(candidate)) return candidate;
    const dot = candidate.indexOf('.');
    if (dot < 0 || dot === candidate.length - 1) return null;
    candidate = candidate.slice(dot + 1);
  }
}

/** True when `domain` or one of its parent domains is in `set`. */
export function hasDomainOrParent(set: ReadonlySet<string>, domain: string): boolean {
  return findDomainOrParent(set, domain) !== null;
}
