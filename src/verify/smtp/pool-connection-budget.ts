/**
 * A process-wide cap on open SMTP sessions, shared by every host pool (our
 * own IP's reputation and file descriptors are finite too). Pools that find
 * the budget spent wait in FIFO order; idle sessions of other pools are
 * reclaimed first, because a parked session is worth less than waiting work.
 */
export class ConnectionBudget {
  readonly #max: number;
  #used = 0;
  readonly #waiters = new Set<() => void>();
  readonly #reclaimers = new Set<() => boolean>();

  /** `max` = Infinity for no global cap. */
  constructor(max = Number.POSITIVE_INFINITY) {
    this.#max = Math.max(1, max);
  }

  get used(): number {
    return this.#used;
  }

  /** Someone is waiting for a session slot. */
  get contended(): boolean {
    return this.#waiters.size > 0;
  }

  tryAcquire(): boolean {
    if (this.#used >= this.#max) return false;
    this.#used++;
    return true;
  }

  release(): void {
    this.#used = Math.max(0, this.#used - 1);
    // Wake waiters in order until one takes the slot; a waiter that no longer
    // needs it simply returns, and the next one gets its chance.
    for (const wake of this.#waiters) {
      if (this.#used >= this.#max) break;
      this.#waiters.delete(wake);
      wake();
    }
  }

  /** Call `wake` (synchronously, it should try `tryAcquire`) once a slot frees; asks an idle session elsewhere to make room. */
  wait(wake: () => void): void {
    if (this.#waiters.has(wake)) return;
    this.#waiters.add(wake);
    for (const reclaim of this.#reclaimers) if (reclaim()) break;
  }

  /** A pool with idle sessions offers to close one (`reclaim` returns true if it did). */
  offerIdle(reclaim: () => boolean): void {
    this.#reclaimers.add(reclaim);
  }

  withdrawIdle(reclaim: () => boolean): void {
    this.#reclaimers.delete(reclaim);
  }
}
