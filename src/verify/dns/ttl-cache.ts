/**
 * A bounded map whose entries expire. Recency is the insertion order of a
 * `Map`: a hit re-inserts its key, and the oldest key is evicted when full, so
 * eviction is least-recently-used without a linked list. Expired entries are
 * dropped when touched and, on overflow, before anything live is evicted.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  /** @param maxEntries 0 stores nothing. @param now clock in epoch ms. */
  constructor(maxEntries: number, now: () => number) {
    this.#maxEntries = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The live value and the ms it has left, or undefined. */
  get(key: string): { value: V; remainingMs: number } | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    const remainingMs = entry.expiresAt - this.#now();
    this.#entries.delete(key);
    if (remainingMs <= 0) return undefined;
    this.#entries.set(key, entry);
    return { value: entry.value, remainingMs };
  }

  /** Keep `value` for `ttlMs`; a ttl of 0 or less stores nothing. */
  set(key: string, value: V, ttlMs: number): void {
    this.#entries.delete(key);
    if (ttlMs <= 0 || this.#maxEntries === 0) return;
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
    if (this.#entries.size > this.#maxEntries) this.#evict();
  }

  clear(): void {
    this.#entries.clear();
  }

  #evict(): void {
    // Sweep a bounded number of the oldest entries for expired ones first, so
    // an overflow never costs a full scan.
    const now = this.#now();
    let scanned = 0;
    for (const [key, entry] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries || scanned++ >= EXPIRY_SWEEP_LIMIT) break;
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}

/** Entries inspected for expiry per overflow before plain LRU eviction. */
const EXPIRY_SWEEP_LIMIT = 32;
