import type { SessionOpener } from './pool-session.js';
import type { SessionTimeouts } from './session-timeouts.js';
import type { SocketFactory } from './socket-factory.js';

export const DEFAULT_SMTP_PORT = 25;
/** Sessions one MX host IP may have open at once (politeness cap). */
export const DEFAULT_MAX_SESSIONS_PER_HOST = 2;
/** Sessions open at once across every host (our own IP and file descriptors are finite). */
export const DEFAULT_MAX_SESSIONS = 200;
/** Recipients per transaction before the server's RCPTMAX or a 452 lowers it (RFC 5321 §4.5.3.1.8: ≥ 100). */
export const DEFAULT_MAX_RECIPIENTS_PER_TRANSACTION = 100;
/** Transactions on one connection before it is closed and a fresh one opened. */
export const DEFAULT_MAX_TRANSACTIONS_PER_SESSION = 50;
/** Idle pooled sessions are QUIT after this. Servers drop idle clients after ~5 min (RFC 5321 §4.5.3.2.7). */
export const DEFAULT_IDLE_TIMEOUT_MS = 15_000;
/** Minimum gap between two new connections to the same host. */
export const DEFAULT_CONNECT_INTERVAL_MS = 100;
/** MX host IPs tried for one recipient before giving up (bounds failover time). */
export const DEFAULT_MAX_HOST_ATTEMPTS = 6;
/** Retry hint for non-greylisting 4xx answers. */
export const DEFAULT_TEMPORARY_RETRY_AFTER_SECONDS = 300;

/** What provider recognition (providers.ts) tells the prober. */
export interface RecognisedProvider {
  id: string;
  name: string;
  /** The provider answers 250 to every RCPT, so probing proves nothing (Yahoo). */
  acceptsAllRcpt: boolean;
}

/** Options of `createSmtpProber`. Only `heloName`, `mailFrom` and `connect` are required. */
export interface SmtpProberOptions {
  /** Our name in EHLO/HELO; should have matching forward and reverse DNS. */
  heloName: string;
  /** Envelope sender for MAIL FROM (an address we own; `''` sends the null sender). */
  mailFrom: string;
  /** Opens TCP connections; carries the SSRF check, source address and proxy. */
  connect: SocketFactory;
  /** Destination port. Default 25. */
  port?: number;
  /** Per-phase session timeouts; the session's defaults fill the rest. */
  sessionTimeouts?: Partial<SessionTimeouts>;
  /** Upgrade with STARTTLS when offered (costs ~3 RTT per session). Default false. */
  starttls?: boolean;
  /** Default 2. */
  maxSessionsPerHost?: number;
  /** Sessions open at once over all hosts; idle ones yield to waiting hosts. Default 200. */
  maxSessions?: number;
  /** Recipients per transaction (m), catch-all probe included. Default 100. */
  maxRecipientsPerTransaction?: number;
  /** Default 50. */
  maxTransactionsPerSession?: number;
  /** Default 15 s. */
  idleTimeoutMs?: number;
  /** Minimum gap between new connections to one host. Default 100 ms. */
  connectIntervalMs?: number;
  /** Host IPs tried per recipient. Default 6. */
  maxHostAttempts?: number;
  /** Waits before re-asking a greylisting host. Default 60 s, 120 s, 240 s. */
  greylistRetryDelaysMs?: readonly number[];
  /** Time a probe may spend waiting out greylisting in-line. Default 0: answer `greylisted` at once. */
  greylistBudgetMs?: number;
  /** Catch-all answers are cached per domain this long. Default 6 h. */
  catchAllTtlMs?: number;
  /** Probe each domain once with a random local part. Default true. */
  catchAllProbe?: boolean;
  /** Consecutive host failures that open its breaker. Default 5. */
  breakerFailureThreshold?: number;
  /** How long an open breaker stays open before one half-open attempt. Default 60 s. */
  breakerOpenMs?: number;
  /** Recognise the mail provider from MX host names; `acceptsAllRcpt` skips probing. Default providers.ts. */
  recogniseProvider?: (mxHosts: string[]) => RecognisedProvider | null;
  /** Random local part for the catch-all probe. Default `mv-` + 16 hex (crypto). */
  randomLocalPart?: () => string;
  /** Session factory; default `SmtpSession.open`. Benchmarks and tests may wrap it. */
  openSession?: SessionOpener;
  /** Clock. Default `Date.now`. */
  now?: () => number;
}
