import { channels } from './channels.js';
import type { MailvetMetrics } from './metrics.js';

type EngineMetricSet = Pick<
  MailvetMetrics,
  | 'verifications'
  | 'verifyStepDuration'
  | 'dnsCache'
  | 'dnsQueries'
  | 'smtpConnections'
  | 'smtpRecipients'
  | 'smtpReplies'
  | 'smtpPoolWait'
  | 'smtpBreakerTransitions'
>;

/** Label values the engine may publish; anything else is folded to `other` so labels stay a closed set. */
const STEPS = new Set(['syntax', 'dns', 'smtp', 'catch_all']);
const REPLY_CLASSES = new Set(['2xx', '3xx', '4xx', '5xx', 'none']);
const SMTP_COMMANDS = new Set([
  'CONNECT',
  'EHLO',
  'HELO',
  'STARTTLS',
  'MAIL',
  'RCPT',
  'RSET',
  'QUIT',
  'DATA',
  'NOOP',
]);
const BREAKER_STATES = new Set(['closed', 'open', 'half_open', 'half-open', 'isolated']);
const LABEL_TOKEN = /^[a-z0-9_]{1,40}$/;

function closed(value: unknown, allowed: Set<string>): string {
  const s = typeof value === 'string' ? value : '';
  return allowed.has(s) ? s : 'other';
}

function token(value: unknown): string {
  return typeof value === 'string' && LABEL_TOKEN.test(value) ? value : 'other';
}

function seconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * Turn the engine's diagnostics-channel messages (src/observability/channels.ts)
 * into metrics. Every label value is checked against a closed set or a token
 * pattern, so a malformed or hostile message can never put a host name or
 * address into a label. Returns the unsubscribe function.
 */
export function subscribeEngineMetrics(m: EngineMetricSet): () => void {
  const handlers: Array<[keyof typeof channels, (msg: unknown) => void]> = [
    [
      'verifyResult',
      (msg) => {
        const { status, reason } = msg as { status?: unknown; reason?: unknown };
        m.verifications.inc({ status: token(status), reason: token(reason) });
      },
    ],
    [
      'verifyStep',
      (msg) => {
        const { step, seconds: s } = msg as { step?: unknown; seconds?: unknown };
        const v = seconds(s);
        if (v !== null) m.verifyStepDuration.observe({ step: closed(step, STEPS) }, v);
      },
    ],
    [
      'dnsCache',
      (msg) => {
        const { hit, kind } = msg as { hit?: unknown; kind?: unknown };
        m.dnsCache.inc({
          result: hit === true ? 'hit' : 'miss',
          kind: kind === 'negative' ? 'negative' : 'positive',
        });
      },
    ],
    [
      'dnsQuery',
      (msg) => {
        m.dnsQueries.inc({
          rcode: token(String((msg as { rcode?: unknown }).rcode ?? '').toLowerCase()),
        });
      },
    ],
    [
      'smtpSession',
      (msg) => {
        m.smtpConnections.inc({
          kind: (msg as { reused?: unknown }).reused === true ? 'reused' : 'opened',
        });
      },
    ],
    [
      'smtpTransaction',
      (msg) => {
        const n = seconds((msg as { recipients?: unknown }).recipients);
        if (n !== null) m.smtpRecipients.observe(n);
      },
    ],
    [
      'smtpReply',
      (msg) => {
        const { command, replyClass } = msg as { command?: unknown; replyClass?: unknown };
        m.smtpReplies.inc({
          command: closed(typeof command === 'string' ? command.toUpperCase() : '', SMTP_COMMANDS),
          class: closed(replyClass, REPLY_CLASSES),
        });
      },
    ],
    [
      'smtpPoolWait',
      (msg) => {
        const v = seconds((msg as { seconds?: unknown }).seconds);
        if (v !== null) m.smtpPoolWait.observe(v);
      },
    ],
    [
      'smtpBreaker',
      (msg) => {
        const { from, to } = msg as { from?: unknown; to?: unknown };
        m.smtpBreakerTransitions.inc({
          from: closed(from, BREAKER_STATES),
          to: closed(to, BREAKER_STATES),
        });
      },
    ],
  ];
  for (const [name, fn] of handlers) channels[name].subscribe(fn);
  return () => {
    for (const [name, fn] of handlers) channels[name].unsubscribe(fn);
  };
}
