import { publish } from '../../observability/channels.js';

/** Consecutive failures that open a host's breaker. */
export const DEFAULT_BREAKER_FAILURE_THRESHOLD = 5;
/** How long an open breaker refuses work before letting one probe through. */
export const DEFAULT_BREAKER_OPEN_MS = 60_000;

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface HostBreakerOptions {
  /** Consecutive failures (connect errors, timeouts, 421, policy blocks) that open it. */
  failureThreshold?: number;
  /** Cool-down while open; afterwards one half-open attempt decides. */
  openMs?: number;
  /** Clock, injectable for tests. */
  now?: () => number;
}

/**
 * Per-MX-host circuit breaker. It counts only faults of the host or of our
 * standing with it (connect failures, timeouts, 421, 4.7.x/5.7.x blocks) —
 * never user answers such as 5.1.1, which prove the host works. While open,
 * the prober answers `mx_unavailable` for that host instead of hammering a
 * server that is down or refusing us. Hand-written rather than cockatiel's
 * because the pool needs to ask "may I connect now?" without wrapping a call.
 */
export class HostBreaker {
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #now: () => number;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  #halfOpenInFlight = false;

  constructor(options: HostBreakerOptions = {}) {
    this.#threshold = Math.max(1, options.failureThreshold ?? DEFAULT_BREAKER_FAILURE_THRESHOLD);
    this.#openMs = Math.max(0, options.openMs ?? DEFAULT_BREAKER_OPEN_MS);
    this.#now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    this.#coolDown();
    return this.#state;
  }

  /** True while nothing has gone wrong: the owner may forget this breaker. */
  get pristine(): boolean {
    return this.#state === 'closed' && this.#failures === 0;
  }

  /** Whether work may be queued for the host at all (false only while open). */
  allowsWork(): boolean {
    return this.state !== 'open';
  }

  /**
   * Whether a new connection may start now. Half-open lets exactly one
   * attempt through; its result closes or re-opens the breaker.
   */
  tryAcquireConnect(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.#halfOpenInFlight) return false;
    this.#halfOpenInFlight = true;
    return true;
  }

  /** A half-open attempt ended without a verdict on the host (nothing to send). */
  releaseProbe(): void {
    this.#halfOpenInFlight = false;
  }

  /** The host answered like a working mail server. */
  recordSuccess(): void {
    this.#failures = 0;
    this.#halfOpenInFlight = false;
    if (this.#state !== 'closed') this.#transition('closed');
  }

  /** The host (or our standing with it) failed. */
  recordFailure(): void {
    this.#failures += 1;
    const state = this.state;
    if (state === 'half_open') {
      this.#halfOpenInFlight = false;
      this.#open();
    } else if (state === 'closed' && this.#failures >= this.#threshold) {
      this.#open();
    }
  }

  /** Milliseconds until an open breaker lets a probe through; 0 otherwise. */
  remainingOpenMs(): number {
    if (this.state !== 'open') return 0;
    return Math.max(0, this.#openedAt + this.#openMs - this.#now());
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#transition('open');
  }

  #coolDown(): void {
    if (this.#state === 'open' && this.#now() - this.#openedAt >= this.#openMs) {
      this.#transition('half_open');
    }
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    this.#state = to;
    publish('smtpBreaker', { from, to });
  }
}
