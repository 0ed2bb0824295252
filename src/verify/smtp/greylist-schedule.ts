/**
 * Default waits before re-asking a greylisting host. Greylists (postgrey,
 * rspamd) typically want 1–5 minutes; reconnecting instantly only resets the
 * clock and marks us as a spammer.
 */
export const DEFAULT_GREYLIST_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000, 240_000];
/** Default in-line budget: 0 = never wait in-line, answer `greylisted` with a retry hint. */
export const DEFAULT_GREYLIST_BUDGET_MS = 0;

/**
 * When to retry a greylisted recipient. `next(attempt, elapsedMs)` returns the
 * delay before retry number `attempt` (0-based), or null when that retry
 * would not finish inside the budget — the caller then answers `greylisted`
 * and `retryAfterSeconds(attempt)` tells the caller's caller when to come back.
 */
export class GreylistSchedule {
  readonly #delays: readonly number[];
  readonly #budgetMs: number;

  constructor(delaysMs: readonly number[] = DEFAULT_GREYLIST_RETRY_DELAYS_MS, budgetMs = 0) {
    this.#delays = delaysMs.length > 0 ? [...delaysMs] : DEFAULT_GREYLIST_RETRY_DELAYS_MS;
    this.#budgetMs = Math.max(0, budgetMs);
  }

  next(attempt: number, elapsedMs: number): number | null {
    if (attempt >= this.#delays.length) return null;
    const delay = this.#delays[attempt];
    return elapsedMs + delay <= this.#budgetMs ? delay : null;
  }

  /** Seconds a caller should wait before trying again after `attempt` in-line retries. */
  retryAfterSeconds(attempt: number): number {
    const delay = this.#delays[Math.min(attempt, this.#delays.length - 1)];
    return Math.max(1, Math.ceil(delay / 1000));
  }
}
