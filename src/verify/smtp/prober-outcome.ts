import type { SmtpInfo } from '../result.js';
import { classifyRcptReply, classifySessionReply } from './reply-classifier.js';
import type { RecipientFailure, RecipientResult } from './recipient-batch.js';
import type { SmtpOutcome } from './smtp-verdict.js';

/**
 * What one host's reply says about a recipient. A refused MAIL FROM stands
 * for every recipient but says nothing about the mailbox, so it can never
 * become `mailbox_not_found`: 5xx there is a block of us, 4xx is temporary.
 */
export function outcomeOfReply(result: Extract<RecipientResult, { kind: 'reply' }>): SmtpOutcome {
  if (result.stage === 'rcpt') return classifyRcptReply(result.reply);
  const outcome = classifySessionReply(result.reply);
  // Belt and braces: whatever the classifier learns, a MAIL reply is never about a mailbox.
  return outcome === 'accepted' || outcome.startsWith('mailbox_') ? 'temporary_error' : outcome;
}

/**
 * The outcome when no host gave an answer. Failures caused by our own policy
 * (SSRF refusal) or our breaker are only decisive when every host shared them.
 */
export function outcomeOfFailures(failures: RecipientFailure[]): SmtpOutcome {
  if (failures.length === 0) return 'connection_failed';
  if (failures.every((f) => f === 'unroutable')) return 'unroutable_mx';
  const real = failures.filter((f) => f !== 'unroutable');
  if (real.every((f) => f === 'breaker_open')) return 'mx_unavailable';
  if (real.includes('blocked')) return 'blocked';
  if (real.includes('timeout')) return 'timeout';
  if (real.includes('throttled') || real.includes('smtputf8_unsupported')) return 'temporary_error';
  return 'connection_failed';
}

/** SmtpInfo before (or without) any conversation. */
export function uncheckedInfo(mxHost: string | null): SmtpInfo {
  return {
    checked: false,
    mxHost,
    code: null,
    enhancedCode: null,
    message: null,
    tls: false,
    attempts: 0,
  };
}
