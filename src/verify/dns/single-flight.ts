/**
 * Concurrent calls with one key share one execution: the first caller starts
 * `work`, later callers get the same promise until it settles. Nothing is
 * remembered afterwards; caching is the caller's business.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>();

  get size(): number {
    return this.#inFlight.size;
  }

  run(key: string, work: () => Promise<T>): Promise<T> {
    const pending = this.#inFlight.get(key);
    if (pending !== undefined) return pending;
    const started = work().finally(() => {
      // Guard: clear() may have dropped this key, and a newer call may own it now.
      if (this.#inFlight.get(key) === started) this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, started);
    return started;
  }

  /** Forget in-flight work (it still settles for the callers already waiting). */
  clear(): void {
    this.#inFlight.clear();
  }
}
