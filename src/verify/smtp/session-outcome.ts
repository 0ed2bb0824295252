import { classifySessionReply } from './reply-classifier.js';
import type { SmtpSessionError } from './session-error.js';
import type { SmtpOutcome } from './smtp-verdict.js';

/**
 * What a failed session means for the recipients it was meant to check.
 * The socket factory's SSRF refusal is `unroutable_mx`; a refusal with a reply
 * (banner, EHLO, MAIL, 421) goes through classifySessionReply; timeouts are
 * `timeout`; every other failure (refused, dropped, garbage, caps, TLS) is
 * `connection_failed`.
 */
export function classifySessionError(error: SmtpSessionError): SmtpOutcome {
  if (error.causeCode === 'MV_ERR_UNROUTABLE_ADDRESS') return 'unroutable_mx';
  if (error.kind === 'timeout') return 'timeout';
  if (error.kind === 'rejected' && error.reply) return classifySessionReply(error.reply);
  return 'connection_failed';
}
