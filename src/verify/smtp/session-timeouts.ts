import { InvalidArgumentError } from '../../errors.js';

/**
 * Per-phase timeouts of one SMTP session, in milliseconds. Every phase has
 * one and they are always on.
 *
 * RFC 5321 §4.5.3.2 suggests 5 minutes for the greeting, MAIL and RCPT. Those
 * numbers protect mail delivery, where patience costs nothing. A verifier
 * answers people and job queues: a server that has not answered in 30 s is
 * tarpitting us or is broken, and the honest answer is `unknown/timeout`
 * (retryable) rather than a worker held for minutes. Real MTAs answer in
 * milliseconds; greet-pause tarpits (Postfix postscreen) wait ~6 s.
 */
export interface SessionTimeouts {
  /** TCP connect (passed to the socket factory as an AbortSignal too). */
  connectMs: number;
  /** From connected to the complete 220 greeting. */
  bannerMs: number;
  /** EHLO or HELO reply. */
  ehloMs: number;
  /** STARTTLS reply plus the TLS handshake. */
  starttlsMs: number;
  /** MAIL FROM reply. */
  mailMs: number;
  /** Each RCPT TO reply (under pipelining: after the previous reply arrived). */
  rcptMs: number;
  /** RSET reply. */
  rsetMs: number;
  /** QUIT reply; short because nothing depends on it. */
  quitMs: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_BANNER_TIMEOUT_MS = 30_000;
export const DEFAULT_EHLO_TIMEOUT_MS = 30_000;
export const DEFAULT_STARTTLS_TIMEOUT_MS = 30_000;
export const DEFAULT_MAIL_TIMEOUT_MS = 30_000;
export const DEFAULT_RCPT_TIMEOUT_MS = 30_000;
export const DEFAULT_RSET_TIMEOUT_MS = 10_000;
export const DEFAULT_QUIT_TIMEOUT_MS = 2_000;
/** Upper bound for any phase: a longer timeout is a configuration mistake. */
export const MAX_PHASE_TIMEOUT_MS = 10 * 60_000;

export const DEFAULT_SESSION_TIMEOUTS: Readonly<SessionTimeouts> = Object.freeze({
  connectMs: DEFAULT_CONNECT_TIMEOUT_MS,
  bannerMs: DEFAULT_BANNER_TIMEOUT_MS,
  ehloMs: DEFAULT_EHLO_TIMEOUT_MS,
  starttlsMs: DEFAULT_STARTTLS_TIMEOUT_MS,
  mailMs: DEFAULT_MAIL_TIMEOUT_MS,
  rcptMs: DEFAULT_RCPT_TIMEOUT_MS,
  rsetMs: DEFAULT_RSET_TIMEOUT_MS,
  quitMs: DEFAULT_QUIT_TIMEOUT_MS,
});

/**
 * Fill in defaults and validate: each timeout must be a finite number in
 * (0, MAX_PHASE_TIMEOUT_MS], else InvalidArgumentError.
 */
export function resolveSessionTimeouts(
  partial: Partial<SessionTimeouts> | undefined,
): Readonly<SessionTimeouts> {
  const merged = { ...DEFAULT_SESSION_TIMEOUTS, ...stripUndefined(partial ?? {}) };
  for (const [name, value] of Object.entries(merged)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(`timeouts.${name} must be a positive number of milliseconds`);
    }
    if (value > MAX_PHASE_TIMEOUT_MS) {
      throw new InvalidArgumentError(`timeouts.${name} must be at most ${MAX_PHASE_TIMEOUT_MS} ms`);
    }
  }
  return Object.freeze(merged);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
