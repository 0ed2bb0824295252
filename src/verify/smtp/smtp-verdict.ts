import type { ParsedAddress } from '../syntax/parsed-address.js';
import type { MailHost } from '../dns/mail-route.js';
import type { SmtpInfo } from '../result.js';

/**
 * What SMTP evidence says about one recipient. `classify` turns this into a
 * status and reason; the prober only reports what the server said.
 */
export type SmtpOutcome =
  | 'accepted'
  | 'mailbox_not_found' // 5.1.1, 5.1.10, 5.4.1 directory rejection, known texts
  | 'mailbox_disabled' // 5.2.1 and known "disabled"/"inactive" texts
  | 'mailbox_full' // 4.2.2 / 5.2.2
  | 'greylisted' // 4xx that asks to come back later, after retries ran out
  | 'blocked' // our IP/HELO refused by policy: 5.7.x, RBL texts, 554 banners
  | 'temporary_error' // other 4xx
  | 'timeout'
  | 'connection_failed'
  | 'mx_unavailable' // circuit breaker open for every MX
  | 'unroutable_mx' // every MX address is private/reserved (SSRF guard)
  | 'provider_unverifiable'; // provider accepts every RCPT (Yahoo…)

export interface SmtpVerdict {
  outcome: SmtpOutcome;
  /** Whether the domain accepts a random local part; null when not learned. */
  catchAll: boolean | null;
  smtp: SmtpInfo;
  /** Recognised provider by MX host (`google`, `microsoft`, `yahoo`, …), else null. */
  provider: string | null;
  retryAfterSeconds?: number;
}

export interface SmtpProbeRequest {
  address: ParsedAddress;
  /** The domain's mail hosts in preference order (from `MailRoute`). */
  hosts: MailHost[];
}

/** The pooled, pipelined prober (design.md §4). One per process. */
export interface SmtpProber {
  probe(request: SmtpProbeRequest): Promise<SmtpVerdict>;
  /**
   * Refuse new probes and let the ones in flight finish, then QUIT every
   * session. When `signal` fires first, every connection the prober opened
   * or is opening is cut instead, so the probes in flight end at once (as
   * connection failures) and close resolves promptly.
   */
  close(options?: { signal?: AbortSignal }): Promise<void>;
}
