import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { subscribeEngineMetrics } from './engine-metrics.js';

/** Buckets (seconds) for HTTP latency: cached answers are sub-millisecond, SMTP probes take seconds. */
export const HTTP_DURATION_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
/** Buckets (seconds) for verification steps: greylisting and tarpits stretch SMTP to minutes. */
export const STEP_DURATION_BUCKETS = [
  0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 90, 120,
];
/** Buckets (seconds) for time spent waiting on a pooled SMTP session. */
export const POOL_WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Buckets for recipients per SMTP transaction (RCPTMAX is at most 100). */
export const RECIPIENT_BUCKETS = [1, 2, 5, 10, 20, 50, 100];

/**
 * Every metric mailvet exports, on its own registry (never prom-client's
 * global one, so several apps in one process — tests — do not collide).
 * Labels are closed sets: route patterns, methods, codes, statuses, reasons.
 * No label ever holds an address, domain, key or IP.
 */
export interface MailvetMetrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'route' | 'method' | 'code'>;
  readonly httpDuration: Histogram<'route' | 'method' | 'code'>;
  readonly verifications: Counter<'status' | 'reason'>;
  readonly verifyStepDuration: Histogram<'step'>;
  readonly dnsCache: Counter<'result' | 'kind'>;
  readonly dnsQueries: Counter<'rcode'>;
  readonly smtpConnections: Counter<'kind'>;
  readonly smtpRecipients: Histogram<string>;
  readonly smtpReplies: Counter<'command' | 'class'>;
  readonly smtpPoolWait: Histogram<string>;
  readonly smtpBreakerTransitions: Counter<'from' | 'to'>;
  readonly resultCache: Counter<'result'>;
  readonly rateLimitRejections: Counter<string>;
  readonly authFailures: Counter<'reason'>;
  readonly ipBlocks: Counter<'source'>;
  /** Stop listening on diagnostics channels. */
  close(): void;
}

/** Options for {@link createMetrics}. */
export interface MetricsOptions {
  /** Collect process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** Build the registry and subscribe to the engine's diagnostics channels. */
export function createMetrics(options: MetricsOptions = {}): MailvetMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: 'mailvet_' });
  const registers = [registry];

  const metrics = {
    registry,
    httpRequests: new Counter({
      name: 'mailvet_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code.',
      labelNames: ['route', 'method', 'code'] as const,
      registers,
    }),
    httpDuration: new Histogram({
      name: 'mailvet_http_request_duration_seconds',
      help: 'HTTP request latency from arrival to response, by route pattern, method and status code.',
      labelNames: ['route', 'method', 'code'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    }),
    verifications: new Counter({
      name: 'mailvet_verifications_total',
      help: 'Finished verifications by status and reason.',
      labelNames: ['status', 'reason'] as const,
      registers,
    }),
    verifyStepDuration: new Histogram({
      name: 'mailvet_verify_step_duration_seconds',
      help: 'Duration of one verification step (syntax, dns, smtp, catch_all).',
      labelNames: ['step'] as const,
      buckets: STEP_DURATION_BUCKETS,
      registers,
    }),
    dnsCache: new Counter({
      name: 'mailvet_dns_cache_lookups_total',
      help: 'DNS cache lookups by result (hit, miss) and entry kind (positive, negative).',
      labelNames: ['result', 'kind'] as const,
      registers,
    }),
    dnsQueries: new Counter({
      name: 'mailvet_dns_queries_total',
      help: 'Upstream DNS queries by response code.',
      labelNames: ['rcode'] as const,
      registers,
    }),
    smtpConnections: new Counter({
      name: 'mailvet_smtp_sessions_total',
      help: 'SMTP sessions handed out by the pools: newly opened or reused.',
      labelNames: ['kind'] as const,
      registers,
    }),
    smtpRecipients: new Histogram({
      name: 'mailvet_smtp_recipients_per_transaction',
      help: 'Recipients sent in one SMTP transaction.',
      buckets: RECIPIENT_BUCKETS,
      registers,
    }),
    smtpReplies: new Counter({
      name: 'mailvet_smtp_replies_total',
      help: 'SMTP replies by command and reply class.',
      labelNames: ['command', 'class'] as const,
      registers,
    }),
    smtpPoolWait: new Histogram({
      name: 'mailvet_smtp_pool_wait_seconds',
      help: 'Time a probe waited for a pooled SMTP session.',
      buckets: POOL_WAIT_BUCKETS,
      registers,
    }),
    smtpBreakerTransitions: new Counter({
      name: 'mailvet_smtp_breaker_transitions_total',
      help: 'Per-host circuit breaker state changes (host deliberately not a label).',
      labelNames: ['from', 'to'] as const,
      registers,
    }),
    resultCache: new Counter({
      name: 'mailvet_result_cache_lookups_total',
      help: 'Result cache lookups by result (hit, miss).',
      labelNames: ['result'] as const,
      registers,
    }),
    rateLimitRejections: new Counter({
      name: 'mailvet_rate_limit_rejections_total',
      help: 'Requests refused with 429 because the key exhausted its allowance.',
      registers,
    }),
    authFailures: new Counter({
      name: 'mailvet_auth_failures_total',
      help: 'Requests refused for authentication or authorisation, by reason.',
      labelNames: ['reason'] as const,
      registers,
    }),
    ipBlocks: new Counter({
      name: 'mailvet_ip_blocked_requests_total',
      help: 'Requests refused because the client IP is blocked, by block source (static, admin, auto).',
      labelNames: ['source'] as const,
      registers,
    }),
  };
  const unsubscribe = subscribeEngineMetrics(metrics);
  return { ...metrics, close: unsubscribe };
}
