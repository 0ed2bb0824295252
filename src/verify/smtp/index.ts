/**
 * The SMTP layer's public surface: one session (session.ts), the pooled,
 * pipelined prober (prober.ts), the socket factory with its SSRF guard, and
 * provider recognition. Pools, breakers and batching stay internal.
 */
export type { SmtpReply } from './smtp-reply.js';
export type { SmtpOutcome, SmtpProbeRequest, SmtpProber, SmtpVerdict } from './smtp-verdict.js';
export type { ConnectTarget, SocketFactory } from './socket-factory.js';

export {
  MAX_RECIPIENTS_PER_TRANSACTION,
  SmtpSession,
  SmtpSessionError,
  type Capabilities,
  type SessionErrorKind,
  type SessionOptions,
  type SessionPhase,
  type SessionTimeouts,
  type TransactionResult,
} from './session.js';
export { DEFAULT_SESSION_TIMEOUTS } from './session-timeouts.js';
export {
  classifyRcptReply,
  classifySessionReply,
  explainRcptReply,
  explainSessionReply,
  isTooManyRecipients,
  type ReplyClassification,
} from './reply-classifier.js';
export { classifySessionError } from './session-outcome.js';

export { createSmtpProber, randomLocalPart } from './prober.js';
export {
  DEFAULT_CONNECT_INTERVAL_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_HOST_ATTEMPTS,
  DEFAULT_MAX_RECIPIENTS_PER_TRANSACTION,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MAX_SESSIONS_PER_HOST,
  DEFAULT_MAX_TRANSACTIONS_PER_SESSION,
  DEFAULT_SMTP_PORT,
  DEFAULT_TEMPORARY_RETRY_AFTER_SECONDS,
  type RecognisedProvider,
  type SmtpProberOptions,
} from './prober-options.js';
export {
  DEFAULT_GREYLIST_BUDGET_MS,
  DEFAULT_GREYLIST_RETRY_DELAYS_MS,
} from './greylist-schedule.js';
export { DEFAULT_CATCH_ALL_TTL_MS } from './catch-all-cache.js';
export {
  DEFAULT_BREAKER_FAILURE_THRESHOLD,
  DEFAULT_BREAKER_OPEN_MS,
  type BreakerState,
} from './host-breaker.js';
export type { PooledSmtpSession, SessionOpener, SessionOpenOptions } from './pool-session.js';

export {
  createSocketFactory,
  DEFAULT_CONNECT_TIMEOUT_MS,
  type HostLookup,
  type SocketFactoryOptions,
} from './connect.js';
export {
  ConnectAbortedError,
  ConnectError,
  ConnectFailedError,
  ConnectRefusedError,
  ConnectTimeoutError,
  ProxyError,
  UnroutableAddressError,
} from './connect-errors.js';
export { addressRange, isPublicAddress } from './address-policy.js';
export {
  KNOWN_PROVIDERS,
  recogniseProvider,
  type ProviderId,
  type ProviderInfo,
} from './providers.js';
