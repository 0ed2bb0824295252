/** How long a domain's catch-all answer is trusted. */
export const DEFAULT_CATCH_ALL_TTL_MS = 6 * 60 * 60 * 1000;
/** Most domains remembered; the oldest entry goes first beyond this. */
export const DEFAULT_CATCH_ALL_MAX_ENTRIES = 100_000;

export interface CatchAllCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/**
 * Per-domain memory of "does this domain accept a random local part", so the
 * catch-all probe costs one extra RCPT per domain per TTL instead of one per
 * address. Only definitive answers are stored; an unknown (4xx, failure)
 * leaves the domain to be probed again with its next batch.
 */
export class CatchAllCache {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  // Map keeps insertion order, which is the eviction order we want.
  readonly #entries = new Map<string, { catchAll: boolean; expiresAt: number }>();

  constructor(options: CatchAllCacheOptions = {}) {
    this.#ttlMs = Math.max(0, options.ttlMs ?? DEFAULT_CATCH_ALL_TTL_MS);
    this.#maxEntries = Math.max(1, options.maxEntries ?? DEFAULT_CATCH_ALL_MAX_ENTRIES);
    this.#now = options.now ?? Date.now;
  }

  /** The cached answer for an A-label domain, or undefined when unknown/expired. */
  get(domain: string): boolean | undefined {
    const entry = this.#entries.get(domain);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(domain);
      return undefined;
    }
    return entry.catchAll;
  }

  set(domain: string, catchAll: boolean): void {
    if (this.#ttlMs === 0) return;
    this.#entries.delete(domain);
    this.#entries.set(domain, { catchAll, expiresAt: this.#now() + this.#ttlMs });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
